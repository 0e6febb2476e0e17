import { freePort, NativeProgram, Platform, PrometheusServer, type ServiceName, SERVICES, waitFor } from '@ai-finance/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dashboardExpressions } from '../src/grafana';
import { localPrometheusConfig, serviceAddresses } from '../src/local-prometheus';
import { WORKSPACE_ROOT } from '../src/paths';
import { metricNamesIn } from '../src/promql-metric-names';
import { ruleFileNames, rulesIn } from './rule-files';

/*
 * The repository's prometheus.yml and rule files, loaded by a real Prometheus that scrapes the ten
 * running services and the exporters Debian packages (blackbox, node, postgres, redis). Every rule must
 * evaluate without error, every expression must be accepted by the query API, and every metric an
 * expression names must be one that a service, Prometheus, a rule or an exporter really has: scraped
 * here, or listed in monitoring/prometheus/exporter-metrics.yml for the exporters that cannot run on
 * this machine (cAdvisor, RabbitMQ's plugin, MongoDB's exporter). The catalogue entries of the
 * exporters that do run here are checked against what they really export.
 */

const EXPORTER_CATALOGUE = join(WORKSPACE_ROOT, 'monitoring/prometheus/exporter-metrics.yml');
interface LiveExporter {
  /** Its key in exporter-metrics.yml, if it has one. */
  catalogue?: string;
  /** Its address in prometheus.yml. */
  composeAddress: string;
  command: string;
  args: (listen: string) => string[];
  env?: Record<string, string>;
}

const LIVE_EXPORTERS: LiveExporter[] = [
  {
    composeAddress: 'blackbox-exporter:9115',
    command: 'prometheus-blackbox-exporter',
    args: (listen) => [`--config.file=${join(WORKSPACE_ROOT, 'monitoring/blackbox/blackbox.yml')}`, `--web.listen-address=${listen}`],
  },
  { catalogue: 'node_exporter', composeAddress: 'node-exporter:9100', command: 'prometheus-node-exporter', args: (listen) => [`--web.listen-address=${listen}`] },
  {
    catalogue: 'postgres_exporter',
    composeAddress: 'postgres-exporter:9187',
    command: 'prometheus-postgres-exporter',
    args: (listen) => [`--web.listen-address=${listen}`],
    env: { DATA_SOURCE_NAME: 'postgresql://postgres@127.0.0.1:5432/postgres?sslmode=disable' },
  },
  {
    catalogue: 'redis_exporter',
    composeAddress: 'redis-exporter:9121',
    command: 'prometheus-redis-exporter',
    args: (listen) => ['-redis.addr', 'redis://127.0.0.1:6379', '-web.listen-address', listen],
  },
];

/** Series Prometheus makes itself, for every target or from the alerting rules. */
const PROMETHEUS_OWN = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS', 'ALERTS_FOR_STATE'];

interface Expression {
  where: string;
  expr: string;
}

type Catalogue = Record<string, { metrics: Array<{ name: string; type: string }> }>;

/** Names in the exporter catalogue, with the series names a histogram or summary expands to. */
function catalogueNames(catalogue: Catalogue): Set<string> {
  return new Set(Object.values(catalogue).flatMap((exporter) => exporter.metrics.flatMap((metric) => seriesNames(metric.name, metric.type))));
}

function seriesNames(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_count`, `${name}_sum`];
  if (type === 'summary') return [name, `${name}_count`, `${name}_sum`];
  // OpenMetrics names a counter's family without `_total`; its sample keeps it.
  if (type === 'counter') return [name, `${name}_total`];
  return [name];
}

describe('every PromQL expression of the rules and dashboards, against a real Prometheus scraping the ten services', () => {
  const platform = new Platform({ env: Object.fromEntries(SERVICES.map((name) => [name, { LOG_LEVEL: 'warn' }])) });
  const prometheus = new PrometheusServer();
  const exporters: NativeProgram[] = [];
  /** Every rule of every rule file, with the file it is in. */
  const rules = ruleFileNames().flatMap((file) => rulesIn(file).map((rule) => ({ ...rule, file })));
  /** Every expression of the rules and of the dashboards (Grafana's variables replaced by values). */
  const allExpressions: Expression[] = [
    ...rules.map((rule) => ({ where: `${rule.file}: ${rule.alert ?? rule.record}`, expr: rule.expr })),
    ...dashboardExpressions().map(({ dashboard, panel, expr }) => ({ where: `${dashboard}: ${panel}`, expr })),
  ];
  const catalogue = (parse(readFileSync(EXPORTER_CATALOGUE, 'utf8')) as { exporters: Catalogue }).exporters;
  /** Every metric name Prometheus knows here: series it stores and families the targets describe. */
  let known: Set<string>;

  beforeAll(async () => {
    await platform.start();
    const exporterAddresses: Record<string, string> = {};
    for (const exporter of LIVE_EXPORTERS) {
      const listen = `127.0.0.1:${await freePort()}`;
      const program = new NativeProgram(exporter.command, exporter.args(listen), `http://${listen}/metrics`, `apt-get install -y ${exporter.command}`, exporter.env);
      exporters.push(program);
      await program.start();
      exporterAddresses[exporter.composeAddress] = listen;
    }
    const addresses = Object.fromEntries(Object.entries(serviceAddresses()).map(([name, address]) => [address, `127.0.0.1:${platform.service(name as ServiceName).port}`]));
    await prometheus.start((self) =>
      localPrometheusConfig({ addresses: { ...addresses, ...exporterAddresses, 'localhost:9090': self }, scrapeInterval: '1s', evaluationInterval: '1s' }),
    );
    // Some traffic, so that request series exist and the rules have numbers to work on.
    for (let i = 0; i < 20; i++) await fetch(`${platform.gateway.url}/api/market/quotes/AAPL`);

    await waitFor(
      'every target up and every rule group evaluated twice',
      async () => {
        const targets = await prometheus.api<{ activeTargets: Array<{ health: string }> }>('/api/v1/targets?state=active');
        const groups = await prometheus.api<{ groups: Array<{ rules: Array<{ lastEvaluation: string }> }> }>('/api/v1/rules');
        const evaluated = groups.groups.every((group) => group.rules.every((rule) => !rule.lastEvaluation.startsWith('0001')));
        return targets.activeTargets.length > 0 && targets.activeTargets.every((target) => target.health === 'up') && evaluated ? true : undefined;
      },
      60_000,
      500,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nprometheus said:\n${prometheus.log}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const stored = await prometheus.api<string[]>('/api/v1/label/__name__/values');
    const described = await prometheus.api<Record<string, Array<{ type: string }>>>('/api/v1/metadata');
    known = new Set([...stored, ...Object.entries(described).flatMap(([name, [first]]) => seriesNames(name, first.type)), ...PROMETHEUS_OWN]);
  }, 180_000);

  afterAll(async () => {
    await prometheus.stop();
    for (const exporter of exporters) await exporter.stop();
    await platform.stop();
  });

  it('scrapes all ten services and their readiness probes, with the service label of prometheus.yml', async () => {
    const up = await prometheus.query('up{job=~"services|blackbox"} == 1');
    const byJob = (job: string) => up.filter((sample) => sample.metric.job === job).map((sample) => sample.metric.service).sort();
    expect({ services: byJob('services'), blackbox: byJob('blackbox') }).toEqual({ services: [...SERVICES].sort(), blackbox: [...SERVICES].sort() });
    const ready = await prometheus.query('probe_success{job="blackbox"} == 1');
    expect(ready.map((sample) => sample.metric.service).sort()).toEqual([...SERVICES].sort());
  });

  it('scrapes every exporter that runs here, and each really exports what the catalogue says of it', async () => {
    const jobs = (await prometheus.query('up == 1')).map((sample) => sample.metric.job);
    expect([...new Set(jobs)].sort()).toEqual(['blackbox', 'blackbox-exporter', 'node-exporter', 'postgres-exporter', 'prometheus', 'redis-exporter', 'services']);
    const missing = LIVE_EXPORTERS.flatMap((exporter) =>
      exporter.catalogue
        ? catalogue[exporter.catalogue].metrics.filter((metric) => !seriesNames(metric.name, metric.type).some((name) => known.has(name))).map((metric) => `${exporter.catalogue}: ${metric.name}`)
        : [],
    );
    expect(missing).toEqual([]);
  });

  it('loads every rule file of the repository, and every rule evaluates without error', async () => {
    const loaded = await prometheus.api<{ groups: Array<{ file: string; rules: Array<{ name: string; health: string; lastError?: string }> }> }>('/api/v1/rules');
    const files = [...new Set(loaded.groups.map((group) => group.file.split('/').pop()))].sort();
    expect(files).toEqual(ruleFileNames().sort());
    expect(loaded.groups.flatMap((group) => group.rules).length).toBe(rules.length);
    const unhealthy = loaded.groups.flatMap((group) => group.rules.filter((rule) => rule.health !== 'ok').map((rule) => `${group.file}: ${rule.name}: ${rule.health} ${rule.lastError ?? ''}`));
    expect(unhealthy).toEqual([]);
  });

  it('accepts every expression of every rule and every dashboard as a query', async () => {
    const failures: string[] = [];
    for (const { where, expr } of allExpressions) {
      await prometheus.query(expr).catch((error: Error) => failures.push(`${where}: ${error.message}`));
    }
    expect(failures).toEqual([]);
  });

  it('names only metrics that a service, Prometheus, a rule or a catalogued exporter has', () => {
    const recorded = new Set(rules.flatMap((rule) => rule.record ?? []));
    const catalogued = catalogueNames(catalogue);
    const unknown = allExpressions.flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !known.has(name) && !recorded.has(name) && !catalogued.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
