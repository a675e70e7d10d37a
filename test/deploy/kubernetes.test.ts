/**
 * deploy/k8s/ and deploy/kustomization.yaml without a cluster: every object
 * valid for its kind, selectors and ports that meet, probes and resources
 * on every workload, the eventyard Deployments running the one image with
 * `run <service>`, probing /health, taking settings from the ConfigMap and
 * secrets from the Secret (placeholders only), and settings the real
 * configuration schema accepts. Where kubectl is installed, the kustomize
 * output is rendered (offline) and validated too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { apps } from '../../src/apps/index.ts';
import { loadConfig } from '../../src/runtime/config.ts';
import { selectServices } from '../../src/runtime/service-selection.ts';
import {
  DEPLOY,
  deployFiles,
  deployPath,
  EVENTYARD_SERVICES,
  objectAt,
  readDeployYaml,
  type Yaml,
} from './deploy-files.ts';
import {
  containersOf,
  findObject,
  type K8sObject,
  k8sObjects,
  objectsOf,
  podSpecOf,
  validateObject,
} from './kubernetes-objects.ts';

const NAMESPACE = 'eventyard';
const IMAGE_USER = 1000; // deploy/Dockerfile's USER
const entries = k8sObjects();
const objects = entries.map((entry) => entry.object);
const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const kustomization = readDeployYaml('kustomization.yaml');
const config = objectAt(findObject(objects, 'ConfigMap', 'eventyard-config').data, 'config data');
const secret = objectAt(
  findObject(objects, 'Secret', 'eventyard-secrets').stringData,
  'secret stringData',
);
const generatedConfigMaps = new Set(
  ((kustomization.configMapGenerator ?? []) as Yaml[]).map((g) => String(g.name)),
);

type EnvVar = { name: string; value?: string; valueFrom?: Yaml };
const envOf = (container: Yaml) => (container.env ?? []) as EnvVar[];
const portNamed = (container: Yaml, name: unknown) =>
  ((container.ports ?? []) as Yaml[]).find((p) => p.name === name || p.containerPort === name);

/** The container's environment as the kubelet makes it, secrets read from secret.yaml. */
function resolvedEnv(container: Yaml): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of (container.envFrom ?? []) as Yaml[]) {
    const ref = objectAt(source.configMapRef, 'envFrom.configMapRef');
    const data = objectAt(findObject(objects, 'ConfigMap', String(ref.name)).data, 'data');
    Object.assign(env, data);
  }
  for (const variable of envOf(container)) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value.replace(/\$\(([A-Za-z_]\w*)\)/g, (_, n) => env[n] ?? '');
      continue;
    }
    const ref = objectAt(objectAt(variable.valueFrom, variable.name).secretKeyRef, variable.name);
    env[variable.name] = String(secret[String(ref.key)]);
  }
  return env;
}

describe('deploy/kustomization.yaml', () => {
  test('lists every manifest of k8s/ and the files it generates from', () => {
    const listed = (kustomization.resources as string[]).slice().sort();
    assert.deepEqual(
      listed,
      deployFiles('k8s', '.yaml').map((f) => `k8s/${f}`),
    );
    assert.equal(kustomization.namespace, NAMESPACE);
    for (const generator of (kustomization.configMapGenerator ?? []) as Yaml[]) {
      for (const file of generator.files as string[]) assert.ok(existsSync(deployPath(file)), file);
    }
  });
});

describe('deploy/k8s', () => {
  test('every object is valid for its kind, named once', () => {
    const seen = new Set<string>();
    for (const { file, object } of entries) {
      assert.doesNotThrow(() => validateObject(object), `${file}: ${object.kind}`);
      const key = `${object.kind}/${object.metadata.name}`;
      assert.ok(!seen.has(key), `${key} twice`);
      seen.add(key);
      const labels = objectAt(object.metadata.labels ?? {}, `${key} labels`);
      assert.equal(labels['app.kubernetes.io/part-of'], 'eventyard', `${key} part-of label`);
    }
  });

  test('a schema violation is caught', () => {
    const broken = structuredClone(findObject(objects, 'Deployment', 'media-api')) as K8sObject;
    const container = containersOf(broken)[0]!;
    (container.ports as Yaml[])[0]!.containerPort = 'eight thousand';
    assert.throws(() => validateObject(broken), /containerPort/);
  });

  test('workload selectors match their pods; Services select pods and name their ports', () => {
    for (const workload of workloads) {
      const spec = objectAt(workload.spec, 'spec');
      const selector = objectAt(objectAt(spec.selector, 'selector').matchLabels, 'matchLabels');
      const podLabels = objectAt(objectAt(spec.template, 'template').metadata, 'metadata').labels;
      for (const [k, v] of Object.entries(selector)) {
        assert.equal(objectAt(podLabels, 'pod labels')[k], v, `${workload.metadata.name}: ${k}`);
      }
    }
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const spec = objectAt(service.spec, 'spec');
      const selector = objectAt(spec.selector, `${service.metadata.name} selector`);
      const targets = workloads.filter((w) => {
        const labels = objectAt(objectAt(objectAt(w.spec, 's').template, 't').metadata, 'm').labels;
        return Object.entries(selector).every(([k, v]) => objectAt(labels, 'l')[k] === v);
      });
      assert.equal(targets.length, 1, `Service ${service.metadata.name} selects one workload`);
      for (const port of spec.ports as Yaml[]) {
        assert.ok(
          containersOf(targets[0]!).some((c) => portNamed(c, port.targetPort)),
          `Service ${service.metadata.name}: targetPort ${port.targetPort}`,
        );
      }
    }
  });

  test('every workload container has probes and resources', () => {
    for (const workload of workloads) {
      for (const container of containersOf(workload)) {
        const where = `${workload.metadata.name}/${container.name}`;
        for (const probe of ['readinessProbe', 'livenessProbe']) {
          const spec = objectAt(container[probe], `${where} ${probe}`);
          const httpGet = spec.httpGet as Yaml | undefined;
          if (httpGet) assert.ok(portNamed(container, httpGet.port), `${where} ${probe} port`);
        }
        const resources = objectAt(container.resources, `${where} resources`);
        const requests = objectAt(resources.requests, `${where} requests`);
        assert.ok(requests.cpu && requests.memory, `${where} requests cpu and memory`);
        assert.ok(objectAt(resources.limits, `${where} limits`).memory, `${where} memory limit`);
      }
    }
  });

  test('one Deployment per eventyard service, the one image, `run <service>`', () => {
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    assert.deepEqual(
      deployments.map((d) => d.metadata.name).sort(),
      Object.keys(EVENTYARD_SERVICES).sort(),
    );
    for (const [name, serviceName] of Object.entries(EVENTYARD_SERVICES)) {
      const containers = containersOf(findObject(objects, 'Deployment', name));
      assert.equal(containers.length, 1);
      assert.equal(containers[0]!.image, 'eventyard', `${name}: the image kustomize sets`);
      assert.deepEqual(containers[0]!.args, ['run', serviceName]);
      assert.equal(selectServices(apps, [serviceName]).length, 1);
    }
    const thumbnailer = objectAt(findObject(objects, 'Deployment', 'media-thumbnailer').spec, 's');
    assert.equal(thumbnailer.replicas, 2, 'two thumbnailers share the group');
    assert.ok((kustomization.images as Yaml[]).some((i) => i.name === 'eventyard'));
  });

  test('eventyard pods probe /health on EVENTYARD_PORT and are scraped there', () => {
    const port = Number(config.EVENTYARD_PORT);
    for (const name of Object.keys(EVENTYARD_SERVICES)) {
      const deployment = findObject(objects, 'Deployment', name);
      const container = containersOf(deployment)[0]!;
      assert.equal(portNamed(container, 'http')?.containerPort, port);
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const httpGet = objectAt(objectAt(container[probe], probe).httpGet, `${name} ${probe}`);
        assert.deepEqual([httpGet.path, httpGet.port], ['/health', 'http'], `${name} ${probe}`);
      }
      const template = objectAt(objectAt(deployment.spec, 'spec').template, 'template');
      const annotations = objectAt(objectAt(template.metadata, 'm').annotations, 'annotations');
      assert.equal(annotations['prometheus.io/scrape'], 'true');
      assert.equal(Number(annotations['prometheus.io/port']), port);
      assert.equal(annotations['prometheus.io/path'], '/metrics');
      const grace = Number(podSpecOf(deployment).terminationGracePeriodSeconds);
      assert.ok(grace * 1000 > Number(config.EVENTYARD_SHUTDOWN_TIMEOUT_MS), `${name} grace`);
    }
  });

  test('eventyard pods run as the image user, read-only, with a writable /tmp', () => {
    for (const name of Object.keys(EVENTYARD_SERVICES)) {
      const deployment = findObject(objects, 'Deployment', name);
      const pod = objectAt(podSpecOf(deployment).securityContext, `${name} securityContext`);
      assert.equal(pod.runAsNonRoot, true);
      assert.equal(pod.runAsUser, IMAGE_USER);
      const container = containersOf(deployment)[0]!;
      const security = objectAt(container.securityContext, `${name} container securityContext`);
      assert.equal(security.readOnlyRootFilesystem, true);
      assert.equal(security.allowPrivilegeEscalation, false);
      const mounts = (container.volumeMounts as Yaml[]).map((m) => m.mountPath);
      assert.ok(mounts.includes('/tmp'), `${name}: /tmp is writable (tsx cache)`);
    }
  });

  test('settings from the ConfigMap, secrets from the Secret; the configuration accepts them', () => {
    for (const name of Object.keys(EVENTYARD_SERVICES)) {
      const container = containersOf(findObject(objects, 'Deployment', name))[0]!;
      const refs = ((container.envFrom ?? []) as Yaml[]).map(
        (s) => objectAt(s.configMapRef, 'configMapRef').name,
      );
      assert.deepEqual(refs, ['eventyard-config']);
      for (const variable of envOf(container)) {
        assert.equal(variable.value, undefined, `${name}: ${variable.name} comes from the Secret`);
      }
      const env = resolvedEnv(container);
      assert.equal(new URL(env.EVENTYARD_STORE!).password, '', 'pg reads PGPASSWORD');
      assert.equal(env.PGPASSWORD, secret.POSTGRES_PASSWORD);
      assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
      const loaded = loadConfig(env);
      assert.equal(loaded.EVENTYARD_HOST, '0.0.0.0');
      assert.equal(new URL(loaded.EVENTYARD_BROKER).host, 'nats:4222');
      assert.equal(new URL(loaded.EVENTYARD_STORE).host, 'postgres:5432');
      assert.equal(new URL(loaded.EVENTYARD_OBJECTS).host, 'minio:9000');
    }
  });

  test('every reference to a Secret key or ConfigMap resolves', () => {
    for (const object of [...workloads, ...objects.filter((o) => o.kind === 'Job')]) {
      for (const container of containersOf(object)) {
        for (const variable of envOf(container)) {
          const ref = variable.valueFrom?.secretKeyRef as Yaml | undefined;
          if (!ref) continue;
          assert.equal(ref.name, 'eventyard-secrets');
          assert.ok(String(ref.key) in secret, `${object.metadata.name}: key ${ref.key}`);
        }
      }
      for (const volume of (podSpecOf(object).volumes ?? []) as Yaml[]) {
        const configMap = volume.configMap as Yaml | undefined;
        if (!configMap) continue;
        const name = String(configMap.name);
        assert.ok(
          generatedConfigMaps.has(name) || objects.some((o) => o.metadata.name === name),
          `${object.metadata.name}: ConfigMap ${name}`,
        );
      }
    }
  });

  test('the Secret holds placeholders only', () => {
    assert.ok(Object.keys(secret).length > 0);
    for (const [key, value] of Object.entries(secret)) {
      assert.match(String(value), /^change-me/, `${key} must be a change-me placeholder`);
    }
  });

  test('kubectl kustomize renders it into valid objects (when kubectl is installed)', (t) => {
    const rendered = spawnSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8' });
    if (rendered.error || rendered.status === null) {
      t.skip('kubectl is not installed here');
      return;
    }
    assert.equal(rendered.status, 0, rendered.stderr);
    const output = objectsOf(rendered.stdout, 'kubectl kustomize deploy');
    assert.equal(output.length, objects.length + generatedConfigMaps.size);
    for (const object of output) {
      validateObject(object);
      if (object.kind !== 'Namespace') assert.equal(object.metadata.namespace, NAMESPACE);
    }
    for (const name of Object.keys(EVENTYARD_SERVICES)) {
      const image = String(containersOf(findObject(output, 'Deployment', name))[0]!.image);
      assert.match(image, /^eventyard:\S+$/, `${name}: tagged by kustomize`);
    }
    const job = findObject(output, 'Job', 'minio-setup');
    const volume = (podSpecOf(job).volumes as Yaml[])[0]!;
    const configMapName = String(objectAt(volume.configMap, 'configMap').name);
    assert.match(configMapName, /^minio-setup-[a-z0-9]+$/, 'the generated, hashed name');
    const generated = findObject(output, 'ConfigMap', configMapName);
    assert.match(String(objectAt(generated.data, 'data')['setup.sh']), /mc event add/);
  });
});
