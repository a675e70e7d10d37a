/**
 * deploy/prometheus/: the compose configuration scrapes every container of
 * each eventyard service at /metrics, the Kubernetes one keeps exactly the
 * eventyard pods of k8s/ (followed through its relabelling, as Prometheus
 * would discover them) and labels both with `service`, the label the
 * dashboard filters on. promtool checks the files where it is installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  deployPath,
  EVENTYARD_SERVICES,
  objectAt,
  readDeployYaml,
  type Yaml,
} from './deploy-files.ts';
import { containersOf, findObject, type K8sObject, k8sObjects } from './kubernetes-objects.ts';
import { metaLabelName, type RelabelConfig, relabel } from './prometheus-relabel.ts';

const compose = objectAt(readDeployYaml('compose.yaml').services, 'services');
const objects = k8sObjects().map((entry) => entry.object);
const eventyardJob = (file: string): Yaml => {
  const jobs = readDeployYaml('prometheus', file).scrape_configs as Yaml[];
  const job = jobs.find((j) => j.job_name === 'eventyard');
  assert.ok(job, `${file}: job eventyard`);
  return job;
};

/** The meta labels Prometheus' pod discovery gives a workload's pod, for its first port. */
function discoveredPod(workload: K8sObject, podIp: string): Record<string, string> {
  const template = objectAt(objectAt(workload.spec, 'spec').template, 'template');
  const metadata = objectAt(template.metadata, 'metadata');
  const port = ((containersOf(workload)[0]!.ports ?? []) as Yaml[])[0]?.containerPort;
  const labels: Record<string, string> = {
    __address__: port === undefined ? podIp : `${podIp}:${port}`,
    __metrics_path__: '/metrics',
    __meta_kubernetes_pod_name: `${workload.metadata.name}-0`,
    __meta_kubernetes_namespace: 'eventyard',
  };
  for (const [name, value] of Object.entries(objectAt(metadata.labels ?? {}, 'labels'))) {
    labels[`__meta_kubernetes_pod_label_${metaLabelName(name)}`] = String(value);
  }
  for (const [name, value] of Object.entries(objectAt(metadata.annotations ?? {}, 'ann'))) {
    labels[`__meta_kubernetes_pod_annotation_${metaLabelName(name)}`] = String(value);
  }
  return labels;
}

describe('the relabel engine', () => {
  test('keeps, drops and replaces as Prometheus does', () => {
    const configs: RelabelConfig[] = [
      { source_labels: ['a'], regex: 'x', action: 'keep' },
      {
        source_labels: ['b', 'c'],
        regex: '([^:]+)(?::\\d+)?;(\\d+)',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Prometheus' replacement syntax
        replacement: '$1:${2}',
        target_label: 'addr',
      },
      { source_labels: ['missing'], regex: '(.+)', target_label: 'untouched' },
    ];
    assert.equal(relabel({ a: 'xy' }, configs), undefined, 'the regex is anchored');
    assert.deepEqual(relabel({ a: 'x', b: 'h:1', c: '9', untouched: 'u' }, configs), {
      a: 'x',
      b: 'h:1',
      c: '9',
      addr: 'h:9',
      untouched: 'u',
    });
  });
});

describe('deploy/prometheus', () => {
  test('compose: every eventyard container scraped at its port, labelled with its service', () => {
    const job = eventyardJob('prometheus.yml');
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
    const sd = (job.dns_sd_configs as Yaml[])[0]!;
    assert.equal(sd.type, 'A', 'one target per container (both thumbnailers)');
    assert.deepEqual((sd.names as string[]).slice().sort(), Object.keys(EVENTYARD_SERVICES).sort());
    for (const name of sd.names as string[]) {
      const env = objectAt(objectAt(compose[name], name).environment, 'environment');
      assert.equal(Number(env.EVENTYARD_PORT), sd.port, `${name} port`);
      const labels = relabel(
        { __address__: `172.18.0.5:${sd.port}`, __meta_dns_name: name },
        job.relabel_configs as RelabelConfig[],
      );
      assert.equal(labels?.service, name);
    }
    const prometheus = objectAt(compose.prometheus, 'prometheus');
    assert.ok(
      (prometheus.volumes as string[]).some((v) =>
        v.startsWith('./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml'),
      ),
    );
  });

  test('Kubernetes: the eventyard pods, and only they, at /metrics on their port', () => {
    const job = eventyardJob('prometheus-k8s.yml');
    const sd = (job.kubernetes_sd_configs as Yaml[])[0]!;
    assert.equal(sd.role, 'pod');
    assert.deepEqual(objectAt(sd.namespaces, 'namespaces').names, ['eventyard']);
    const configs = job.relabel_configs as RelabelConfig[];
    for (const name of Object.keys(EVENTYARD_SERVICES)) {
      const pod = discoveredPod(findObject(objects, 'Deployment', name), '10.1.2.3');
      const labels = relabel(pod, configs);
      assert.ok(labels, `${name} is scraped`);
      assert.equal(labels.__address__, '10.1.2.3:8080');
      assert.equal(labels.__metrics_path__, '/metrics');
      assert.equal(labels.service, name);
    }
    for (const statefulSet of objects.filter((o) => o.kind === 'StatefulSet')) {
      const labels = relabel(discoveredPod(statefulSet, '10.1.2.4'), configs);
      assert.equal(labels, undefined, `${statefulSet.metadata.name} has no /metrics`);
    }
  });

  test('promtool check config accepts them (where promtool is installed)', (t) => {
    for (const file of ['prometheus.yml', 'prometheus-k8s.yml']) {
      const run = spawnSync('promtool', ['check', 'config', deployPath('prometheus', file)], {
        encoding: 'utf8',
      });
      if (run.error) {
        t.skip('promtool is not installed here');
        return;
      }
      // Debian's Prometheus is built without Kubernetes discovery.
      if (/field kubernetes_sd_configs not found/.test(run.stdout + run.stderr)) {
        t.diagnostic(`${file}: this promtool has no Kubernetes discovery; not checked`);
        continue;
      }
      assert.equal(run.status, 0, `${file}: ${run.stdout}${run.stderr}`);
    }
  });
});
