/**
 * Imports point down only (DESIGN.md, "Layers"): core knows no adapter, app
 * or runtime and imports no I/O library; apps never reach an adapter or a
 * driver (gateways, the protocols eventyard serves over core contracts, they
 * may use); adapters know core, not the runtime or apps.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../src');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

/** The top folder of src/ an import lands in, or the package name for bare imports. */
function target(file: string, specifier: string): { layer?: string; pkg?: string } {
  if (specifier.startsWith('.')) {
    const landed = relative(SRC, resolve(join(file, '..'), specifier));
    return { layer: landed.split('/')[0] };
  }
  return { pkg: specifier };
}

function violations(
  layer: string,
  rule: (t: { layer?: string; pkg?: string }) => boolean,
): string[] {
  const dir = join(SRC, layer);
  let files: string[];
  try {
    files = sources(dir);
  } catch {
    return [];
  }
  return files.flatMap((file) =>
    importsOf(file)
      .filter((specifier) => !rule(target(file, specifier)))
      .map((specifier) => `${relative(SRC, file)} imports ${specifier}`),
  );
}

test('core imports only node built-ins and other core files', () => {
  const found = violations(
    'core',
    (t) => t.layer === 'core' || t.pkg?.startsWith('node:') === true,
  );
  assert.deepEqual(found, []);
});

test('apps know core, the runtime and gateways, never an adapter or a driver', () => {
  const drivers = /^(better-sqlite3|pg|@nats-io\/|amqplib|ioredis|mqtt|aedes|@aws-sdk\/)/;
  const found = violations(
    'apps',
    (t) =>
      (t.layer !== undefined &&
        ['apps', 'core', 'runtime', 'observability', 'gateways'].includes(t.layer)) ||
      (t.pkg !== undefined && !drivers.test(t.pkg)),
  );
  assert.deepEqual(found, []);
});

test('adapters know core, not the runtime, apps, console or cli', () => {
  const found = violations(
    'adapters',
    (t) => t.pkg !== undefined || t.layer === 'adapters' || t.layer === 'core',
  );
  assert.deepEqual(found, []);
});

test('the rule checker sees imports (it would catch a violation)', () => {
  const sample = join(SRC, 'core', 'create-broker.ts');
  assert.ok(importsOf(sample).includes('./envelope.ts'));
  assert.deepEqual(target(sample, '../adapters/x.ts'), { layer: 'adapters' });
});
