/**
 * The files of deploy/, read the way their tools read them: YAML through
 * the `yaml` package (YAML 1.1 merge keys on, as Docker Compose and
 * Kubernetes accept them; duplicate keys refused), the env file as
 * NAME=value lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const REPO = resolve(import.meta.dirname, '../..');
export const DEPLOY = join(REPO, 'deploy');

/** The eventyard services compose.yaml and k8s/ run, by container name, with the service each runs. */
export const EVENTYARD_SERVICES = {
  'media-api': 'media.api',
  'media-indexer': 'media.indexer',
  'media-thumbnailer': 'media.thumbnailer',
} as const;

export type Yaml = Record<string, unknown>;

export function deployPath(...parts: string[]): string {
  return join(DEPLOY, ...parts);
}

export function readDeployText(...parts: string[]): string {
  return readFileSync(deployPath(...parts), 'utf8');
}

/** Every document of a YAML file (`---` separated), refusing any error or warning. */
export function parseYamlDocuments(text: string, name: string): unknown[] {
  const documents = parseAllDocuments(text, { merge: true, uniqueKeys: true });
  if (!Array.isArray(documents)) throw new Error(`${name}: not a YAML stream`);
  return documents
    .map((document) => {
      const problems = [...document.errors, ...document.warnings];
      if (problems.length > 0) {
        throw new Error(`${name}: ${problems.map((p) => p.message).join('; ')}`);
      }
      return document.toJS({ maxAliasCount: 100 }) as unknown;
    })
    .filter((value) => value !== null && value !== undefined);
}

/** The one document of a YAML file under deploy/. */
export function readDeployYaml(...parts: string[]): Yaml {
  const documents = parseYamlDocuments(readDeployText(...parts), parts.join('/'));
  if (documents.length !== 1) throw new Error(`${parts.join('/')}: ${documents.length} documents`);
  return documents[0] as Yaml;
}

/** Files of a folder under deploy/ with the given ending, sorted. */
export function deployFiles(folder: string, ending: string): string[] {
  return readdirSync(deployPath(folder))
    .filter((name) => name.endsWith(ending))
    .sort();
}

/** NAME=value lines of an env file; comments and blank lines skipped. */
export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(trimmed);
    if (!match) throw new Error(`line ${index + 1}: not NAME=value: ${line}`);
    values.set(match[1]!, match[2]!);
  }
  return values;
}

/** A value as an object, or a failure naming where it was expected. */
export function objectAt(value: unknown, where: string): Yaml {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected a mapping, got ${JSON.stringify(value)}`);
  }
  return value as Yaml;
}

/** A value as an array, or a failure naming where it was expected. */
export function arrayAt(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value))
    throw new Error(`${where}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}
