import { freePort, NativeProgram, Platform, PrometheusServer, type ServiceName, SERVICES, waitFor } from '@ai-finance/testing';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from '../src/generate';
import { localPrometheusConfig, serviceAddresses } from '../src/local-prometheus';
import { metricNamesIn } from '../src/promql-metric-names';

/*
 * The repository's prometheus.yml and rule files, loaded by a real Prometheus that scrapes the ten
 * running services and a real blackbox exporter. Every rule must evaluate without error, every
 * expression of every rule must be accepted by the query API, and every metric an expression names
 * must be one that a service, Prometheus, a rule or an exporter really has: scraped here, or listed in
 * monitoring/prometheus/exporter-metrics.yml for the exporters that cannot run on this machine.
 */

const RULES_DIR = join(WORKSPACE_ROOT, 'monitoring/prometheus/rules');
const EXPORTER_CATALOGUE = join(WORKSPACE_ROOT, 'monitoring/prometheus/exporter-metrics.yml');
/** Series Prometheus makes itself, for every target or from the alerting rules. */
const PROMETHEUS_OWN = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS', 'ALERTS_FOR_STATE'];

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

interface Expression {
  where: string;
  expr: string;
}

const rules = (): Array<Rule & { file: string }> =>
  readdirSync(RULES_DIR)
    .filter((name) => name.endsWith('.yml'))
    .flatMap((file) =>
      (parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((group) => group.rules.map((rule) => ({ ...rule, file }))),
    );

function ruleExpressions(): Expression[] {
  return rules().map((rule) => ({ where: `${rule.file}: ${rule.alert ?? rule.record}`, expr: rule.expr }));
}

/** Names in the exporter catalogue, with the series names a histogram or summary expands to. */
function catalogueNames(): Set<string> {
  const catalogue = parse(readFileSync(EXPORTER_CATALOGUE, 'utf8')) as { exporters: Record<string, { metrics: Array<{ name: string; type: string }> }> };
  return new Set(Object.values(catalogue.exporters).flatMap((exporter) => exporter.metrics.flatMap((metric) => seriesNames(metric.name, metric.type))));
}

function seriesNames(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_count`, `${name}_sum`];
  if (type === 'summary') return [name, `${name}_count`, `${name}_sum`];
  // OpenMetrics names a counter's family without `_total`; its sample keeps it.
  if (type === 'counter') return [name, `${name}_total`];
  return [name];
}

describe('every PromQL expression of the rules, against a real Prometheus scraping the ten services', () => {
  const platform = new Platform({ env: Object.fromEntries(SERVICES.map((name) => [name, { LOG_LEVEL: 'warn' }])) });
  const prometheus = new PrometheusServer();
  let blackbox: NativeProgram;
  /** Every metric name Prometheus knows here: series it stores and families the targets describe. */
  let known: Set<string>;

  beforeAll(async () => {
    await platform.start();
    const blackboxPort = await freePort();
    blackbox = new NativeProgram(
      'prometheus-blackbox-exporter',
      [`--config.file=${join(WORKSPACE_ROOT, 'monitoring/blackbox/blackbox.yml')}`, `--web.listen-address=127.0.0.1:${blackboxPort}`],
      `http://127.0.0.1:${blackboxPort}/metrics`,
      'apt-get install -y prometheus-blackbox-exporter',
    );
    await blackbox.start();
    const addresses = Object.fromEntries(Object.entries(serviceAddresses()).map(([name, address]) => [address, `127.0.0.1:${platform.service(name as ServiceName).port}`]));
    await prometheus.start((self) =>
      localPrometheusConfig({
        addresses: { ...addresses, 'blackbox-exporter:9115': `127.0.0.1:${blackboxPort}`, 'localhost:9090': self },
        scrapeInterval: '1s',
        evaluationInterval: '1s',
      }),
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
    await blackbox?.stop();
    await platform.stop();
  });

  it('scrapes all ten services and their readiness probes, with the service label of prometheus.yml', async () => {
    const up = await prometheus.query('up{job=~"services|blackbox"} == 1');
    const byJob = (job: string) => up.filter((sample) => sample.metric.job === job).map((sample) => sample.metric.service).sort();
    expect({ services: byJob('services'), blackbox: byJob('blackbox') }).toEqual({ services: [...SERVICES].sort(), blackbox: [...SERVICES].sort() });
    const ready = await prometheus.query('probe_success{job="blackbox"} == 1');
    expect(ready.map((sample) => sample.metric.service).sort()).toEqual([...SERVICES].sort());
  });

  it('loads every rule file of the repository, and every rule evaluates without error', async () => {
    const loaded = await prometheus.api<{ groups: Array<{ file: string; rules: Array<{ name: string; health: string; lastError?: string }> }> }>('/api/v1/rules');
    const files = [...new Set(loaded.groups.map((group) => group.file.split('/').pop()))].sort();
    expect(files).toEqual(readdirSync(RULES_DIR).filter((name) => name.endsWith('.yml')).sort());
    expect(loaded.groups.flatMap((group) => group.rules).length).toBe(rules().length);
    const unhealthy = loaded.groups.flatMap((group) => group.rules.filter((rule) => rule.health !== 'ok').map((rule) => `${group.file}: ${rule.name}: ${rule.health} ${rule.lastError ?? ''}`));
    expect(unhealthy).toEqual([]);
  });

  it('accepts every expression of every rule as a query', async () => {
    const failures: string[] = [];
    for (const { where, expr } of ruleExpressions()) {
      await prometheus.query(expr).catch((error: Error) => failures.push(`${where}: ${error.message}`));
    }
    expect(failures).toEqual([]);
  });

  it('names only metrics that a service, Prometheus, a rule or a catalogued exporter has', () => {
    const recorded = new Set(rules().flatMap((rule) => rule.record ?? []));
    const catalogue = catalogueNames();
    const unknown = ruleExpressions().flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !known.has(name) && !recorded.has(name) && !catalogue.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
