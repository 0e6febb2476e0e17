import { runTool } from '@ai-finance/testing';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { generatedFiles } from '../src/generate';
import { dashboardExpressions, dashboards, DASHBOARDS_DIR, DATASOURCES, grafanaFiles, substituteVariables, type Dashboard, type Panel, type PrometheusTarget } from '../src/grafana';
import { SERVICE_TELEMETRY } from '../src/grafana/services';
import { SLO_SPEC_PATH, WORKSPACE_ROOT } from '../src/paths';
import { sloRuleGroups } from '../src/slo-rules';
import { loadSloSpec } from '../src/slo-spec';
import { RULES_DIR, ruleFileNames, rulesIn, rulesOf } from './rule-files';

const spec = loadSloSpec(SLO_SPEC_PATH);
const generated = dashboards(spec).map((entry) => entry.dashboard);
const allGeneratedFiles = generatedFiles();
/** Rule files as the workspace names them: monitoring/prometheus/rules. */
const RULES_PATH = relative(WORKSPACE_ROOT, RULES_DIR);
const datasourcesText = readFileSync(join(WORKSPACE_ROOT, 'monitoring/grafana/provisioning/datasources/datasources.yml'), 'utf8');
const provisionedDatasources = (parse(datasourcesText) as { datasources: Datasource[] }).datasources;
const readYaml = <T>(path: string): T => parse(readFileSync(join(WORKSPACE_ROOT, path), 'utf8')) as T;

const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
const prometheusTargets = (dashboard: Dashboard): Array<{ panel: Panel; target: PrometheusTarget }> =>
  allPanels(dashboard.panels).flatMap((panel) => (panel.targets ?? []).flatMap((target) => ('expr' in target ? [{ panel, target }] : [])));
/** Every query as written in the dashboard, Grafana variables and all. */
const rawExpressions = () =>
  generated.flatMap((dashboard) => [
    ...prometheusTargets(dashboard).map(({ panel, target }) => ({ where: `${dashboard.uid}: ${panel.title}`, expr: target.expr, legend: target.legendFormat ?? '' })),
    ...dashboard.annotations.list.map((annotation) => ({ where: `${dashboard.uid}: annotation ${annotation.name}`, expr: annotation.expr, legend: annotation.titleFormat })),
  ]);

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  isDefault?: boolean;
  jsonData: Record<string, unknown>;
}

describe('Grafana dashboards and provisioning (monitoring/grafana)', () => {
  it('are all written by the generator and checked in exactly as it makes them (run `npm run generate:monitoring`)', () => {
    const ours = grafanaFiles(spec);
    const written = new Set(allGeneratedFiles.map((file) => file.path));
    for (const file of ours) {
      expect({ path: file.path, inGeneratedFiles: written.has(file.path) }).toEqual({ path: file.path, inGeneratedFiles: true });
      expect({ path: file.path, upToDate: readFileSync(join(WORKSPACE_ROOT, file.path), 'utf8') === file.content }).toEqual({ path: file.path, upToDate: true });
    }
    const checkedIn = readdirSync(join(WORKSPACE_ROOT, DASHBOARDS_DIR)).map((name) => `${DASHBOARDS_DIR}/${name}`);
    expect(checkedIn.sort()).toEqual(ours.map((file) => file.path).filter((path) => path.startsWith(`${DASHBOARDS_DIR}/`)).sort());
  });

  it('include the SRE, SLO, infrastructure and business dashboards and one per service of the SLO spec, each with a unique uid and title', () => {
    const services = spec.services.map((entry) => entry.service);
    expect(generated.map((dashboard) => dashboard.uid)).toEqual(['sre-overview', 'slo-overview', 'infrastructure-overview', 'business-analytics', ...services.map((service) => `service-${service}`)]);
    expect(new Set(generated.map((dashboard) => dashboard.title)).size).toBe(generated.length);
    expect(Object.keys(SERVICE_TELEMETRY).sort()).toEqual([...services].sort());
    expect(readdirSync(join(WORKSPACE_ROOT, 'apps')).sort()).toEqual([...services].sort());
  });

  it.each(generated.map((dashboard) => [dashboard.uid, dashboard] as const))('%s has a schemaVersion, and panels with unique ids and titles on the grid without overlapping', (_, dashboard) => {
    expect(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36).toBe(true);
    const panels = allPanels(dashboard.panels);
    expect(panels.length).toBeGreaterThan(1);
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    const titles = panels.filter((panel) => panel.type !== 'row').map((panel) => panel.title);
    expect(titles.filter((title, index) => titles.indexOf(title) !== index)).toEqual([]);
    for (const { title, gridPos } of panels) {
      const { x, y, w, h } = gridPos;
      expect({ title, fits: [x, y, w, h].every(Number.isInteger) && x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24 }).toEqual({ title, fits: true });
    }
    const overlapping = panels.flatMap((a, i) =>
      panels.slice(i + 1).filter((b) => a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h).map((b) => `${a.title} / ${b.title}`),
    );
    expect(overlapping).toEqual([]);
  });

  it('refer to data sources by the uid of a provisioned one, never by name', () => {
    const provisioned = provisionedDatasources.map(({ type, uid }) => ({ type, uid }));
    expect(provisioned).toEqual(DATASOURCES.map(({ type, uid }) => ({ type, uid })));
    for (const dashboard of generated) {
      const references = [
        ...allPanels(dashboard.panels).flatMap((panel) => [panel.datasource, ...(panel.targets ?? []).map((target) => target.datasource)].filter(Boolean).map((ref) => ({ where: panel.title, ref }))),
        ...dashboard.annotations.list.map((annotation) => ({ where: annotation.name, ref: annotation.datasource })),
      ];
      for (const { where, ref } of references) {
        expect({ dashboard: dashboard.uid, where, provisioned: provisioned.some((known) => known.uid === ref?.uid && known.type === ref.type) }).toEqual({ dashboard: dashboard.uid, where, provisioned: true });
      }
    }
  });

  it('open for every dashboard_url of every alert rule, with the variable it sets', () => {
    const ruleFiles = [
      ...ruleFileNames().map((name) => ({ path: `${RULES_PATH}/${name}`, rules: rulesIn(name) })),
      ...allGeneratedFiles.filter((file) => file.path.startsWith(`${RULES_PATH}/`)).map((file) => ({ path: `${file.path} (generated)`, rules: rulesOf(file.content) })),
    ];
    const urls = ruleFiles.flatMap(({ path, rules }) =>
      rules
        .filter((rule) => rule.annotations?.dashboard_url)
        .flatMap((rule) => {
          const url = rule.annotations?.dashboard_url as string;
          // A templated service may be any of them: each must have its dashboard.
          const expanded = url.includes('{{ $labels.service }}') ? spec.services.map((entry) => url.replace('{{ $labels.service }}', entry.service)) : [url];
          return expanded.map((concrete) => ({ where: `${path}: ${rule.alert}`, url: concrete }));
        }),
    );
    expect(urls.length).toBeGreaterThan(0);
    for (const { where, url } of urls) {
      const parsed = new URL(url);
      const uid = parsed.pathname.replace(new URL(spec.dashboardBaseUrl).pathname, '').replace(/^\//, '');
      const target = generated.find((dashboard) => dashboard.uid === uid);
      expect({ where, url, dashboard: url.startsWith(`${spec.dashboardBaseUrl}/`) && target !== undefined }).toEqual({ where, url, dashboard: true });
      for (const [parameter, value] of parsed.searchParams) {
        const variable = target?.templating.list.find((candidate) => `var-${candidate.name}` === parameter);
        expect({ where, url, parameter, known: variable?.options.some((option) => option.value === value) }).toEqual({ where, url, parameter, known: true });
      }
    }
  });

  describe('queries', () => {
    const expressions = dashboardExpressions();
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'grafana-promql-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('are valid PromQL: promtool parses each one, variables replaced by concrete values, as a recording rule', () => {
      const path = join(dir, 'dashboard-queries.yml');
      writeFileSync(path, stringify({ groups: [{ name: 'dashboard-queries', rules: expressions.map(({ expr }, index) => ({ record: `dashboard_query_${index}`, expr })) }] }, { lineWidth: 0 }));
      const result = runTool('promtool', ['check', 'rules', path], { install: 'prometheus' });
      // promtool names a failing rule by its position: name the panel instead.
      const output = result.output.replace(/rule (\d+), "dashboard_query_\d+"/g, (_, position: string) => {
        const { dashboard, panel } = expressions[Number(position) - 1];
        return `${dashboard}: ${panel}`;
      });
      expect({ status: result.status, output: result.status === 0 ? '' : output }).toEqual({ status: 0, output: '' });
      expect(output).toContain(`SUCCESS: ${expressions.length} rules found`);
    });

    it('come from dashboardExpressions() for every panel and annotation, with no Grafana variable left', () => {
      expect(expressions.length).toBe(rawExpressions().length);
      expect(new Set(expressions.map((entry) => entry.dashboard))).toEqual(new Set(generated.map((dashboard) => dashboard.uid)));
      expect(expressions.filter(({ expr }) => expr.includes('$'))).toEqual([]);
      expect(() => substituteVariables('rate(up[$__unknown])', {})).toThrow(/\$__unknown/);
    });

    it('take rates over $__rate_interval and totals over $__range, never a fixed window', () => {
      for (const { where, expr } of rawExpressions()) {
        const windows = [...expr.matchAll(/\b(rate|irate|increase)\([^[]*\[([^\]]+)\]/g)].map(([, fn, window]) => `${fn}[${window}]`);
        const ranges = [...expr.matchAll(/\[([^\]]+)\]/g)].length;
        expect({ where, expr, allRanged: windows.length === ranges }).toEqual({ where, expr, allRanged: true });
        for (const window of windows) {
          expect({ where, window: ['rate[$__rate_interval]', 'irate[$__rate_interval]', 'increase[$__range]'].includes(window) }).toEqual({ where, window: true });
        }
      }
    });

    it('aggregate, match and name series only by labels with a small, fixed set of values', () => {
      const bounded = new Set([
        ...['service', 'instance', 'slo', 'method', 'route', 'status_code', 'le', 'state', 'operation', 'outcome', 'routing_key', 'queue', 'status', 'dependency', 'kind', 'reason', 'target'],
        ...['currency', 'provider', 'from', 'to', 'symbol', 'side', 'type', 'window', 'result', 'feature', 'direction', 'channel', 'event_type', 'upstream'],
        ...['alertname', 'severity', 'category', 'mode', 'cpu', 'device', 'mountpoint', 'datname', 'container_label_com_docker_compose_service'],
        // api-gateway exports only the 5 worst addresses per type (security_offender_events).
        'ip_address',
        // fault_injection_active: the faults a service registers at start-up (five in all).
        'fault',
      ]);
      for (const { where, expr, legend } of rawExpressions()) {
        const grouped = [...expr.matchAll(/\b(?:by|on|ignoring|without)\s*\(([^)]*)\)/g)].flatMap(([, labels]) => labels.split(',').map((label) => label.trim()).filter(Boolean));
        const named = [...legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map(([, label]) => label);
        expect({ where, unbounded: [...grouped, ...named].filter((label) => !bounded.has(label)) }).toEqual({ where, unbounded: [] });
      }
    });

    it('read only SLO series that the generated rules/slo.yml records', () => {
      const recorded = new Set(sloRuleGroups(spec).flatMap((group) => group.rules.flatMap((rule) => ('record' in rule ? [rule.record] : []))));
      const used = new Set(rawExpressions().flatMap(({ expr }) => expr.match(/\bslo:[a-z0-9_:]+/g) ?? []));
      expect(used.size).toBeGreaterThan(0);
      expect([...used].filter((name) => !recorded.has(name))).toEqual([]);
    });
  });

  it('show exemplars on every service’s request latency panel, and Prometheus links an exemplar’s trace_id to Jaeger', () => {
    for (const dashboard of generated.filter((candidate) => candidate.uid.startsWith('service-'))) {
      const latency = prometheusTargets(dashboard).filter(({ target }) => target.expr.includes('http_server_request_duration_seconds_bucket') && /by \(method, route, le\)/.test(target.expr));
      expect({ dashboard: dashboard.uid, quantiles: latency.length, exemplars: latency.every(({ target }) => target.exemplar === true) }).toEqual({ dashboard: dashboard.uid, quantiles: 3, exemplars: true });
    }
    const prometheus = provisionedDatasources.find((source) => source.uid === 'prometheus');
    expect(prometheus?.jsonData.exemplarTraceIdDestinations).toEqual([expect.objectContaining({ name: 'trace_id', datasourceUid: 'jaeger' })]);
  });

  it('provision Prometheus (default), Alertmanager, Elasticsearch and Jaeger with fixed uids, trace-to-logs by trace id, and no credential', () => {
    expect(datasourcesText).not.toMatch(/password|secure|basicAuth|token/i);
    // Grafana expands $NAME and ${NAME} in provisioning files from its environment; a literal $ is written $$.
    expect(datasourcesText.replace(/\$\$/g, '').includes('$')).toBe(false);
    const sources = Object.fromEntries(provisionedDatasources.map((source) => [source.uid, source]));
    expect(Object.values(sources).map(({ uid, type, url, isDefault }) => ({ uid, type, url, isDefault: isDefault === true }))).toEqual([
      { uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090', isDefault: true },
      { uid: 'alertmanager', type: 'alertmanager', url: 'http://alertmanager:9093', isDefault: false },
      { uid: 'elasticsearch', type: 'elasticsearch', url: 'http://elasticsearch:9200', isDefault: false },
      { uid: 'jaeger', type: 'jaeger', url: 'http://jaeger:16686', isDefault: false },
    ]);
    expect(sources.alertmanager.jsonData.implementation).toBe('prometheus');
    expect(sources.elasticsearch.jsonData).toEqual(expect.objectContaining({ index: 'ai-finance-*', timeField: '@timestamp', logMessageField: 'message', logLevelField: 'level' }));
    for (const key of ['tracesToLogsV2', 'tracesToLogs']) {
      expect({ key, link: sources.jaeger.jsonData[key] }).toEqual({ key, link: expect.objectContaining({ datasourceUid: 'elasticsearch', filterByTraceID: true }) });
    }
    const providers = readYaml<{ providers: Array<{ type: string; options: { path: string } }> }>('monitoring/grafana/provisioning/dashboards/dashboards.yml').providers;
    expect(providers.map(({ type, options }) => ({ type, path: options.path }))).toEqual([{ type: 'file', path: '/var/lib/grafana/dashboards' }]);
  });
});
