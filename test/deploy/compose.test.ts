/**
 * deploy/compose.yaml without a Docker engine: the services the media
 * pipeline needs, one image running `run <service>` per eventyard
 * container, health checks and start order, engine URLs that point at the
 * compose services, settings the real configuration schema accepts, and
 * secrets only by reference. Where the Compose v2 CLI is installed,
 * `docker compose config` validates the file against the Compose
 * specification as well.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { apps } from '../../src/apps/index.ts';
import { loadConfig } from '../../src/runtime/config.ts';
import { selectServices } from '../../src/runtime/service-selection.ts';
import { interpolate, interpolateAll, variablesIn } from './compose-interpolation.ts';
import {
  DEPLOY,
  EVENTYARD_SERVICES,
  objectAt,
  parseEnvFile,
  readDeployText,
  readDeployYaml,
  type Yaml,
} from './deploy-files.ts';

const COMPOSE_TEXT = readDeployText('compose.yaml');
const EXAMPLE_ENV = parseEnvFile(readDeployText('.env.example'));
const compose = interpolateAll(readDeployYaml('compose.yaml'), EXAMPLE_ENV) as Yaml;
const services = objectAt(compose.services, 'services');
const service = (name: string): Yaml => objectAt(services[name], `services.${name}`);
const environmentOf = (name: string): Record<string, string> => {
  const env = objectAt(service(name).environment ?? {}, `services.${name}.environment`);
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
};
const eventyardNames = Object.keys(EVENTYARD_SERVICES) as Array<keyof typeof EVENTYARD_SERVICES>;
const ONE_SHOT = new Set(['minio-setup']);
/** Settings whose values are credentials (POSTGRES_USER, a plain user name, is not one). */
const SECRET_NAME = /PASSWORD|SECRET|ACCESS_KEY|ROOT_USER/;

describe('compose interpolation', () => {
  test('substitutes, defaults, refuses missing required variables, keeps $$', () => {
    const env = new Map([
      ['A', 'a'],
      ['EMPTY', ''],
    ]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose syntax, not a template
    assert.equal(interpolate('${A}-${B:-b}-${EMPTY:-e}-${EMPTY-f}-$$A-$A', env), 'a-b-e--$A-a');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose syntax, not a template
    assert.throws(() => interpolate('${B:?set B}', env), /B is missing: set B/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose syntax, not a template
    assert.throws(() => interpolate('${EMPTY:?set it}', env), /EMPTY/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose syntax, not a template
    assert.deepEqual(variablesIn('${A:?x} ${B:-y} $$C $D'), [
      { name: 'A', required: true },
      { name: 'B', required: false, fallback: 'y' },
      { name: 'D', required: false },
    ]);
  });
});

describe('deploy/compose.yaml', () => {
  test('has the engines, the setup job, one container per media service, and monitoring', () => {
    const expected = [
      'nats',
      'postgres',
      'minio',
      'minio-setup',
      ...eventyardNames,
      'prometheus',
      'grafana',
    ];
    assert.deepEqual(Object.keys(services).sort(), expected.sort());
  });

  test('every eventyard container runs the one image with `run <service>`', () => {
    const images = new Set<string>();
    const builds = new Set<string>();
    for (const name of eventyardNames) {
      const s = service(name);
      images.add(String(s.image));
      builds.add(JSON.stringify(s.build));
      assert.deepEqual(s.command, ['run', EVENTYARD_SERVICES[name]], `${name} command`);
      const selected = selectServices(apps, [EVENTYARD_SERVICES[name]]);
      assert.equal(selected.length, 1, `${EVENTYARD_SERVICES[name]} names one service`);
    }
    assert.equal(images.size, 1, 'one image');
    assert.equal(builds.size, 1, 'one build');
    const build = objectAt(service(eventyardNames[0]!).build, 'build');
    assert.ok(existsSync(join(resolve(DEPLOY, String(build.context)), String(build.dockerfile))));
    const covered = eventyardNames.map((name) => EVENTYARD_SERVICES[name]).sort();
    const media = selectServices(apps, ['media']).map((entry) => entry.id);
    assert.deepEqual(covered, media.sort(), 'every media service has a container');
    assert.equal(objectAt(service('media-thumbnailer').deploy, 'deploy').replicas, 2);
  });

  test('every long-running service has a health check; eventyard ones ask /health', () => {
    for (const [name, value] of Object.entries(services)) {
      if (ONE_SHOT.has(name)) continue;
      const check = objectAt(objectAt(value, name).healthcheck, `${name}.healthcheck`);
      const command = check.test;
      assert.ok(Array.isArray(command) && command[0] === 'CMD', `${name}: exec-form test`);
      if (name in EVENTYARD_SERVICES) {
        const port = environmentOf(name).EVENTYARD_PORT;
        assert.match(command.join(' '), new RegExp(`127\\.0\\.0\\.1:${port}/health`));
      }
    }
  });

  test('start order: engines healthy and MinIO set up before eventyard starts', () => {
    for (const [name, value] of Object.entries(services)) {
      const dependsOn = objectAt(objectAt(value, name).depends_on ?? {}, `${name}.depends_on`);
      for (const [target, condition] of Object.entries(dependsOn)) {
        assert.ok(target in services, `${name} depends on unknown ${target}`);
        const wanted = ONE_SHOT.has(target) ? 'service_completed_successfully' : 'service_healthy';
        assert.equal(objectAt(condition, target).condition, wanted, `${name} -> ${target}`);
      }
    }
    for (const name of eventyardNames) {
      const targets = Object.keys(objectAt(service(name).depends_on, name)).sort();
      assert.deepEqual(targets, ['minio-setup', 'nats', 'postgres']);
    }
    assert.ok('minio' in objectAt(service('minio-setup').depends_on, 'minio-setup'));
  });

  test('engine URLs point at the compose services and the configuration accepts them', () => {
    const postgres = environmentOf('postgres');
    for (const name of eventyardNames) {
      const env = environmentOf(name);
      const broker = new URL(env.EVENTYARD_BROKER!);
      assert.equal(`${broker.protocol}//${broker.host}`, 'nats://nats:4222');
      const store = new URL(env.EVENTYARD_STORE!);
      assert.equal(store.protocol, 'postgres:');
      assert.equal(store.host, 'postgres:5432');
      assert.equal(store.username, postgres.POSTGRES_USER);
      assert.equal(store.pathname, `/${postgres.POSTGRES_DB}`);
      assert.equal(store.password, '', 'the password comes from PGPASSWORD, not the URL');
      assert.equal(env.PGPASSWORD, postgres.POSTGRES_PASSWORD);
      assert.equal(new URL(env.EVENTYARD_OBJECTS!).host, 'minio:9000');
      const config = loadConfig(env);
      assert.equal(config.EVENTYARD_HOST, '0.0.0.0');
      assert.equal(config.EVENTYARD_BROKER, env.EVENTYARD_BROKER);
    }
  });

  test("eventyard's MinIO user is the one minio-setup creates", () => {
    const setup = environmentOf('minio-setup');
    for (const name of eventyardNames) {
      const env = environmentOf(name);
      assert.equal(env.AWS_ACCESS_KEY_ID, setup.S3_ACCESS_KEY);
      assert.equal(env.AWS_SECRET_ACCESS_KEY, setup.S3_SECRET_KEY);
    }
    assert.notEqual(setup.S3_ACCESS_KEY, environmentOf('minio').MINIO_ROOT_USER);
  });

  test('secrets only by reference, required, with change-me placeholders in .env.example', () => {
    const raw = readDeployYaml('compose.yaml');
    const rawServices = objectAt(raw.services, 'services');
    for (const [name, value] of Object.entries(rawServices)) {
      const env = objectAt(objectAt(value, name).environment ?? {}, `${name}.environment`);
      for (const [key, setting] of Object.entries(env)) {
        if (!SECRET_NAME.test(key)) continue;
        const uses = variablesIn(String(setting));
        assert.ok(
          uses.length === 1 && uses[0]!.required,
          `${name}.${key} must be \${VAR:?...}, not a literal`,
        );
      }
    }
    const required = variablesIn(COMPOSE_TEXT).filter((use) => use.required);
    assert.ok(required.length > 0);
    for (const { name } of required) {
      assert.match(EXAMPLE_ENV.get(name) ?? '', /^change-me/, `.env.example: ${name}`);
    }
    assert.match(readDeployText('.gitignore'), /^\.env$/m, 'deploy/.env is git-ignored');
  });

  test('files it mounts exist', () => {
    for (const [name, value] of Object.entries(services)) {
      for (const volume of (objectAt(value, name).volumes ?? []) as string[]) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.')) assert.ok(existsSync(resolve(DEPLOY, source)), volume);
      }
    }
  });

  test('docker compose config accepts it (when the Compose v2 CLI is installed)', (t) => {
    const probe = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      t.skip('docker compose (v2) is not installed here');
      return;
    }
    const env = { ...process.env, ...Object.fromEntries(EXAMPLE_ENV) };
    const file = join(DEPLOY, 'compose.yaml');
    const out = execFileSync('docker', ['compose', '-f', file, 'config', '--format', 'json'], {
      env,
      encoding: 'utf8',
    });
    const resolved = JSON.parse(out) as { services: Record<string, unknown> };
    assert.deepEqual(Object.keys(resolved.services).sort(), Object.keys(services).sort());
  });
});
