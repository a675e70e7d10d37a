/**
 * How MinIO's notifications reach the indexer, in compose.yaml and k8s/
 * alike: one NATS target (MINIO_NOTIFY_NATS_*_<ID>) with JetStream and a
 * disk queue, publishing to the subject the NATS adapter reads for topic
 * images-bucket-event, and minio/setup.sh adding the `images` bucket's rule
 * for that target's ARN. The script is syntax-checked with sh -n (and
 * ShellCheck where installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { describe, test } from 'node:test';
import { TopicNames } from '../../src/adapters/brokers/nats/nats-names.ts';
import {
  IMAGES_BUCKET,
  IMAGES_BUCKET_EVENT,
  THUMBNAILS_BUCKET,
} from '../../src/apps/media/names.ts';
import { deployPath, objectAt, readDeployText, readDeployYaml, type Yaml } from './deploy-files.ts';
import { containersOf, findObject, k8sObjects } from './kubernetes-objects.ts';

const NOTIFY = /^MINIO_NOTIFY_NATS_([A-Z_]+?)_([A-Z0-9]+)$/;
const SETTINGS = ['ENABLE', 'ADDRESS', 'SUBJECT', 'JETSTREAM', 'QUEUE_DIR', 'QUEUE_LIMIT'];

const compose = objectAt(readDeployYaml('compose.yaml').services, 'services');
const composeMinio = objectAt(compose.minio, 'minio');
const objects = k8sObjects().map((entry) => entry.object);
const k8sMinio = containersOf(findObject(objects, 'StatefulSet', 'minio'))[0]!;
const setupScript = readDeployText('minio', 'setup.sh');

function notifySettings(env: Record<string, string>): { id: string; values: Map<string, string> } {
  const ids = new Set<string>();
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    const match = NOTIFY.exec(name);
    if (!match) continue;
    ids.add(match[2]!);
    values.set(match[1]!, value);
  }
  assert.equal(ids.size, 1, `one NATS target, got ${[...ids].join(', ')}`);
  return { id: [...ids][0]!, values };
}

const composeEnv = Object.fromEntries(
  Object.entries(objectAt(composeMinio.environment, 'environment')).map(([k, v]) => [k, String(v)]),
);
const k8sEnv = Object.fromEntries(
  (k8sMinio.env as Array<{ name: string; value?: string }>)
    .filter((variable) => variable.value !== undefined)
    .map((variable) => [variable.name, variable.value!]),
);

describe('MinIO bucket notifications to NATS', () => {
  test('compose and Kubernetes configure the same single NATS target', () => {
    const fromCompose = notifySettings(composeEnv);
    const fromK8s = notifySettings(k8sEnv);
    assert.equal(fromCompose.id, fromK8s.id);
    assert.deepEqual([...fromCompose.values].sort(), [...fromK8s.values].sort());
    assert.deepEqual([...fromCompose.values.keys()].sort(), SETTINGS.slice().sort());
  });

  test('JetStream on, at the nats service, on the subject the adapter reads', () => {
    const { values } = notifySettings(composeEnv);
    assert.equal(values.get('ENABLE'), 'on');
    assert.equal(values.get('JETSTREAM'), 'on');
    // MinIO takes host:port here, not a URL.
    assert.equal(values.get('ADDRESS'), 'nats:4222');
    assert.ok('nats' in compose);
    const natsService = findObject(objects, 'Service', 'nats');
    assert.ok((objectAt(natsService.spec, 'spec').ports as Yaml[]).some((p) => p.port === 4222));
    // The subject the NATS adapter reads as topic images-bucket-event, under
    // the prefix the services' EVENTYARD_BROKER names.
    const x = objectAt(readDeployYaml('compose.yaml')['x-eventyard'], 'x-eventyard');
    const broker = new URL(String(objectAt(x.environment, 'environment').EVENTYARD_BROKER));
    const prefix = broker.searchParams.get('prefix') ?? 'ey';
    assert.equal(
      values.get('SUBJECT'),
      new TopicNames(prefix, IMAGES_BUCKET_EVENT, 1).unkeyedSubject,
    );
  });

  test('the queue dir is absolute and on a volume in both', () => {
    const queueDir = notifySettings(composeEnv).values.get('QUEUE_DIR')!;
    assert.ok(isAbsolute(queueDir), 'MinIO requires an absolute queue_dir');
    const composeTargets = (composeMinio.volumes as string[]).map((v) => v.split(':')[1]!);
    assert.ok(composeTargets.some((target) => queueDir.startsWith(`${target}/`)));
    const k8sTargets = (k8sMinio.volumeMounts as Yaml[]).map((m) => String(m.mountPath));
    assert.ok(k8sTargets.some((target) => queueDir.startsWith(`${target}/`)));
    assert.ok(!queueDir.startsWith('/data/'), "not inside MinIO's own data dir");
  });

  test("setup.sh makes the media app's buckets and the rule for that target", () => {
    const { id } = notifySettings(composeEnv);
    for (const bucket of [IMAGES_BUCKET, THUMBNAILS_BUCKET]) {
      assert.match(setupScript, new RegExp(`^mc mb --ignore-existing \\w+/${bucket}$`, 'm'));
    }
    const rule = /^mc event add (.+)$/m.exec(setupScript);
    assert.ok(rule, 'mc event add');
    const words = rule[1]!.split(/\s+/);
    assert.ok(words.includes(`arn:minio:sqs::${id}:nats`), `ARN of target ${id}`);
    assert.ok(words.some((w) => w.endsWith(`/${IMAGES_BUCKET}`)));
    assert.equal(words[words.indexOf('--event') + 1], 'put', 's3:ObjectCreated:*');
    assert.ok(words.includes('--ignore-existing'), 'idempotent');
  });

  test('compose and the Kubernetes Job both run setup.sh', () => {
    const setup = objectAt(compose['minio-setup'], 'minio-setup');
    const mount = (setup.volumes as string[]).find((v) => v.startsWith('./minio/setup.sh:'));
    assert.ok(mount, 'setup.sh mounted');
    assert.deepEqual(setup.entrypoint, ['/bin/sh', mount.split(':')[1]]);
    const job = containersOf(findObject(objects, 'Job', 'minio-setup'))[0]!;
    assert.deepEqual(job.command, ['/bin/sh', '/setup/setup.sh']);
  });

  test('setup.sh is valid sh (and clean for ShellCheck, where installed)', (t) => {
    const syntax = spawnSync('sh', ['-n', deployPath('minio', 'setup.sh')], { encoding: 'utf8' });
    assert.equal(syntax.status, 0, syntax.stderr);
    const lint = spawnSync('shellcheck', ['-s', 'sh', deployPath('minio', 'setup.sh')], {
      encoding: 'utf8',
    });
    if (lint.error) {
      t.diagnostic('shellcheck is not installed here; sh -n only');
      return;
    }
    assert.equal(lint.status, 0, lint.stdout);
  });
});
