/**
 * deploy/grafana/: the dashboard is valid JSON whose every query uses only
 * metrics the code registers (BrokerMetrics on a prom-client Registry, the
 * process metrics included) with labels those metrics carry or the scrape
 * configuration adds, shows every eventyard_ metric, and is provisioned
 * from the Prometheus data source compose.yaml runs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { BrokerMetrics } from '../../src/observability/metrics.ts';
import {
  deployFiles,
  objectAt,
  readDeployText,
  readDeployYaml,
  type Yaml,
} from './deploy-files.ts';
import { labelNamesIn, labelValuesQuery, metricNamesIn } from './promql-names.ts';

/** Labels Prometheus adds to every series: the job, the target, and deploy/prometheus' `service`. */
const TARGET_LABELS = ['job', 'instance', 'service', 'pod'];
const SERIES_SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

interface Registered {
  readonly series: Set<string>;
  readonly labels: Map<string, Set<string>>;
  readonly eventyard: string[];
}

async function registeredMetrics(): Promise<Registered> {
  const registry = new Registry();
  new BrokerMetrics(registry);
  const declared = new Map(
    registry
      .getMetricsAsArray()
      .map((m) => [m.name, (m as unknown as { labelNames?: string[] }).labelNames ?? []]),
  );
  const series = new Set<string>();
  const labels = new Map<string, Set<string>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    const own = new Set<string>([
      ...(declared.get(metric.name) ?? []),
      // Default metrics name some labels only in their values (version, space, kind).
      ...metric.values.flatMap((value) => Object.keys(value.labels)),
      ...(type === 'histogram' ? ['le'] : []),
      ...TARGET_LABELS,
    ]);
    for (const suffix of ['', ...(SERIES_SUFFIXES[type] ?? [])]) {
      series.add(`${metric.name}${suffix}`);
      labels.set(`${metric.name}${suffix}`, own);
    }
  }
  const eventyard = [...declared.keys()].filter((name) => name.startsWith('eventyard_'));
  return { series, labels, eventyard };
}

const dashboardFile = deployFiles('grafana/dashboards', '.json');
const dashboard = JSON.parse(readDeployText('grafana/dashboards', dashboardFile[0]!)) as Yaml;
const panels = (dashboard.panels as Yaml[]).filter((panel) => panel.type !== 'row');
const expressions = panels.flatMap((panel) =>
  (panel.targets as Yaml[]).map((target) => ({
    panel: String(panel.title),
    expr: String(target.expr),
  })),
);
const variables = objectAt(dashboard.templating, 'templating').list as Yaml[];

describe('PromQL name reading', () => {
  test('finds metric names, not functions, keywords, labels, strings or variables', () => {
    const expr =
      'histogram_quantile(0.95, sum by (le, topic) (rate(a_bucket{job="x", topic=~"$topic"}[$__rate_interval]))) / on (topic) group_left b_total offset 5m > bool 0 or c';
    assert.deepEqual(metricNamesIn(expr), ['a_bucket', 'b_total', 'c']);
    assert.deepEqual(labelNamesIn(expr).sort(), ['job', 'le', 'topic']);
    assert.deepEqual(metricNamesIn('count by (service) (x{a="rate(y)"})'), ['x']);
    assert.throws(() => metricNamesIn('sum(rate(x[5m])'), /unclosed/);
    assert.deepEqual(labelValuesQuery('label_values(m{job="e"}, service)'), {
      selector: 'm{job="e"}',
      label: 'service',
    });
  });
});

describe('deploy/grafana', () => {
  test('the dashboard is one valid dashboard with unique panel ids, every panel querying', () => {
    assert.equal(dashboardFile.length, 1);
    assert.equal(typeof dashboard.uid, 'string');
    const ids = (dashboard.panels as Yaml[]).map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids unique');
    assert.ok(panels.length >= 6);
    for (const panel of panels) {
      assert.ok((panel.targets as Yaml[]).length > 0, `${panel.title} has a query`);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax
      assert.equal(objectAt(panel.datasource, 'datasource').uid, '${datasource}');
    }
  });

  test('every query uses only metrics the code registers, with their labels', async () => {
    const registered = await registeredMetrics();
    assert.ok(registered.series.has('eventyard_handler_duration_seconds_bucket'));
    for (const { panel, expr } of expressions) {
      const names = metricNamesIn(expr);
      assert.ok(names.length > 0, `${panel}: ${expr}`);
      for (const name of names) {
        assert.ok(registered.series.has(name), `${panel}: ${name} is not registered by the code`);
        for (const label of labelNamesIn(expr)) {
          if (label === 'le' && !name.endsWith('_bucket')) continue;
          const known = names.some((n) => registered.labels.get(n)?.has(label));
          assert.ok(known, `${panel}: label ${label} is on none of ${names.join(', ')}`);
        }
      }
    }
  });

  test("template variables read labels the code's metrics carry", async () => {
    const registered = await registeredMetrics();
    const queries = variables.filter((variable) => variable.type === 'query');
    assert.ok(queries.length > 0);
    for (const variable of queries) {
      const { selector, label } = labelValuesQuery(String(objectAt(variable.query, 'q').query));
      const [metric] = metricNamesIn(selector);
      assert.ok(metric && registered.series.has(metric), `$${variable.name}: ${metric}`);
      assert.ok(registered.labels.get(metric)?.has(label), `$${variable.name}: label ${label}`);
    }
    assert.ok(variables.some((v) => v.type === 'datasource' && v.name === 'datasource'));
  });

  test('every eventyard_ metric is on the dashboard', async () => {
    const { eventyard } = await registeredMetrics();
    assert.ok(eventyard.length >= 6);
    const used = new Set(expressions.flatMap(({ expr }) => metricNamesIn(expr)));
    for (const name of eventyard) {
      const shown = [...used].some((u) => u === name || u.startsWith(`${name}_`));
      assert.ok(shown, `${name} has no panel`);
    }
  });

  test('Grafana is provisioned with the compose Prometheus and this dashboard folder', () => {
    const sources = readDeployYaml('grafana/provisioning/datasources/prometheus.yaml');
    const prometheus = (sources.datasources as Yaml[])[0]!;
    assert.equal(prometheus.type, 'prometheus');
    assert.equal(prometheus.url, 'http://prometheus:9090');
    const providers = readDeployYaml('grafana/provisioning/dashboards/eventyard.yaml');
    const path = objectAt((providers.providers as Yaml[])[0]!.options, 'options').path;
    const grafana = objectAt(objectAt(readDeployYaml('compose.yaml').services, 's').grafana, 'g');
    assert.ok(
      (grafana.volumes as string[]).includes(`./grafana/dashboards:${path}:ro`),
      'compose mounts the dashboards where the provider reads them',
    );
  });
});
