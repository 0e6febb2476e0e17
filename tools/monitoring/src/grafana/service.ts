import { HTTP_SERVER_DURATION_METRIC } from '@ai-finance/observability';
import type { ServiceSlo, SloSpec } from '../slo-spec';
import { alertAnnotation, dashboard, link } from './dashboard';
import { ERROR_COPIES, LOG_FIELDS } from './datasources';
import type { Dashboard } from './model';
import { alertLine, logs, query, stat, statusHistory, steps, timeseries, upDown, type PanelSpec, type Section } from './panels';
import { matchers, max, min, quantile, ratio, series, sum, sumRate } from './promql';
import { telemetryOf, type ServiceTelemetry } from './services';
import { BUDGET_STEPS, budgetRemaining, sloSelector } from './slo-series';
import { sloPanels, sloTargets } from './slo';

/** Addresses a browser reaches (README ports), for links out of Grafana. */
export const KIBANA_URL = 'http://localhost:5601';
export const JAEGER_UI_URL = 'http://localhost:16686';

export const REQUESTS = HTTP_SERVER_DURATION_METRIC;
const CLIENT_REQUESTS = 'http_client_request_duration_seconds';
const SERVER_ERRORS = 'status_code=~"5.."';

/** Request rate, error ratio and latency of one service's HTTP API (the SLIs' source). */
function requestPanels(scope: string, entry: ServiceSlo): PanelSpec[] {
  const byRoute = ['method', 'route'];
  const errorRatio = (labels: string[]) => ratio(sumRate(`${REQUESTS}_count`, matchers(scope, SERVER_ERRORS), labels), sumRate(`${REQUESTS}_count`, scope, labels));
  const quantiles = [0.5, 0.95, 0.99].map((q) => query(quantile(q, REQUESTS, scope, byRoute), `p${Math.round(q * 100)} {{method}} {{route}}`));
  return [
    timeseries('Requests per second by route', [query(sumRate(`${REQUESTS}_count`, scope, byRoute), '{{method}} {{route}}')], { unit: 'reqps', stack: true }),
    timeseries('Responses per second by status code', [query(sumRate(`${REQUESTS}_count`, scope, ['status_code']), '{{status_code}}')], { unit: 'reqps', stack: true }),
    timeseries('Error ratio (5xx)', [query(errorRatio([]), 'all routes'), query(errorRatio(byRoute), '{{method}} {{route}}')], {
      description: `Share of answers with a 5xx. HighErrorRate fires above ${entry.errorRateThreshold}% (the spec's errorRateThreshold).`,
      unit: 'percentunit',
      min: 0,
      ...alertLine(entry.errorRateThreshold / 100),
    }),
    timeseries('Latency by route (p50, p95, p99)', quantiles, {
      description: `Exemplars (dots) are sampled requests: click one to open its trace in Jaeger. The latency SLO counts requests slower than ${entry.latency.thresholdSeconds} s.`,
      unit: 's',
      ...alertLine(entry.latency.thresholdSeconds),
      exemplars: true,
    }),
  ];
}

/** CPU, memory, event loop, GC and dependencies of a service's Node.js processes (prom-client defaults). */
function processPanels(scope: string): PanelSpec[] {
  const perInstance = (metric: string) => max(series(metric, scope), ['instance']);
  return [
    timeseries('CPU', [query(sumRate('process_cpu_seconds_total', scope, ['instance']), '{{instance}}')], { description: 'CPU seconds per second: 1 is one core.', unit: 'percentunit', w: 8 }),
    timeseries('Memory', [query(perInstance('process_resident_memory_bytes'), 'resident {{instance}}'), query(perInstance('nodejs_heap_size_used_bytes'), 'heap used {{instance}}')], {
      description: 'ServiceHighMemoryUsage fires above 512 MiB resident.',
      unit: 'bytes',
      ...alertLine(512 * 1024 * 1024),
      w: 8,
    }),
    timeseries('Event-loop lag', [query(perInstance('nodejs_eventloop_lag_p99_seconds'), 'p99 {{instance}}'), query(perInstance('nodejs_eventloop_lag_p50_seconds'), 'p50 {{instance}}')], {
      description: 'ServiceEventLoopLag fires on a p99 above 200 ms.',
      unit: 's',
      ...alertLine(0.2),
      w: 8,
    }),
    timeseries('Time in garbage collection', [query(sumRate('nodejs_gc_duration_seconds_sum', scope, ['kind']), '{{kind}}')], { unit: 'percentunit', stack: true, w: 8 }),
    statusHistory('Dependencies (readiness checks)', [query(min(series('health_dependency_up', scope), ['dependency']), '{{dependency}}')], { mappings: upDown(), w: 8 }),
    timeseries('Log records', [query(sumRate('log_records_shipped_total', scope), 'shipped'), query(sumRate('log_records_dropped_total', scope, ['reason']), 'dropped: {{reason}}')], {
      description: 'Lines shipped to Elasticsearch, and lines dropped while it was slow or away.',
      w: 8,
    }),
  ];
}

function databasePanels(scope: string): PanelSpec[] {
  return [
    timeseries('Connection pool', [query(sum(series('db_pool_connections', scope), ['state']), '{{state}}'), query(sum(series('db_pool_max_connections', scope)), 'pool size')], {
      description: 'Connections lent out (active), idle, and requests waiting for one. DatabaseConnectionPoolSaturated fires above 85% or on any waiting.',
      w: 8,
    }),
    timeseries('Query time p95 by operation', [query(quantile(0.95, 'db_query_duration_seconds', scope, ['operation']), '{{operation}}')], {
      description: 'DatabaseSlowQueries fires on a p95 above 500 ms.',
      unit: 's',
      ...alertLine(0.5),
      w: 8,
    }),
    timeseries('Queries per second by operation', [query(sumRate('db_query_duration_seconds_count', scope, ['operation', 'outcome']), '{{operation}} {{outcome}}')], { stack: true, w: 8 }),
  ];
}

function messagingPanels(scope: string, messaging: NonNullable<ServiceTelemetry['messaging']>): PanelSpec[] {
  return [
    ...(messaging.publishes
      ? [timeseries('Messages published per second', [query(sumRate('messages_published_total', scope, ['routing_key']), '{{routing_key}}')], { stack: true, w: 8 })]
      : []),
    ...(messaging.consumes
      ? [timeseries('Messages consumed per second', [query(sumRate('messages_consumed_total', scope, ['queue', 'status']), '{{queue}} {{status}}')], { stack: true, w: 8 })]
      : []),
    ...(messaging.outbox
      ? [
          timeseries('Outbox', [query(max(series('outbox_pending_messages', scope)), 'pending'), query(max(series('outbox_oldest_message_age_seconds', scope)), 'oldest age (s)')], {
            description: 'Events committed and not yet confirmed by RabbitMQ. OutboxBacklog fires when the oldest is over 120 s.',
            w: 8,
          }),
        ]
      : []),
  ];
}

function outgoingPanels(scope: string): PanelSpec[] {
  return [
    timeseries('Outgoing requests per second', [query(sumRate(`${CLIENT_REQUESTS}_count`, scope, ['target', 'status_code']), '{{target}} {{status_code}}')], { unit: 'reqps', stack: true }),
    timeseries('Outgoing latency p95 by target', [query(quantile(0.95, CLIENT_REQUESTS, scope, ['target']), '{{target}}')], { unit: 's' }),
  ];
}

/** The overview line: traffic, errors, latency, budget and instances at a glance. */
function overviewPanels(scope: string, entry: ServiceSlo): PanelSpec[] {
  const total = sumRate(`${REQUESTS}_count`, scope);
  return [
    stat('Requests per second', [query(total)], { unit: 'reqps' }),
    stat('Error ratio', [query(ratio(sumRate(`${REQUESTS}_count`, matchers(scope, SERVER_ERRORS)), total))], {
      unit: 'percentunit',
      decimals: 2,
      thresholds: steps('green', [entry.errorRateThreshold / 100, 'red']),
    }),
    stat('Latency p95', [query(quantile(0.95, REQUESTS, scope))], { unit: 's', thresholds: steps('green', [entry.latency.thresholdSeconds, 'red']) }),
    stat('Error budget remaining', [query(budgetRemaining(sloSelector(entry.service)), '{{slo}}')], {
      unit: 'percentunit',
      decimals: 1,
      thresholds: BUDGET_STEPS,
      w: 6,
    }),
    stat('Instances', [query(sum(series('up', matchers('job="services"', scope))), 'scraped'), query(sum(series('probe_success', matchers('job="blackbox"', scope))), 'ready')], {
      description: 'Instances Prometheus scrapes, and those whose /health/ready the blackbox probe passes.',
      thresholds: steps('red', [1, 'green']),
      w: 6,
    }),
  ];
}

/** Lucene query of a service's error and warning lines in Elasticsearch. */
export const serviceLogQuery = (service: string): string => `${LOG_FIELDS.service}:"${service}" AND ${LOG_FIELDS.level}:(error OR warn) AND NOT ${ERROR_COPIES}`;

function serviceLinks(service: string) {
  const kibanaQuery = encodeURIComponent(`${LOG_FIELDS.service}:"${service}"`);
  return [
    link({ title: 'SLO overview', url: `/d/slo-overview?var-service=${service}`, icon: 'dashboard', keepTime: true }),
    link({ title: 'SRE overview', url: '/d/sre-overview', icon: 'dashboard', keepTime: true }),
    link({
      title: 'Logs in Kibana',
      url: `${KIBANA_URL}/app/discover#/?_g=(time:(from:now-1h,to:now))&_a=(query:(language:kuery,query:'${kibanaQuery}'))`,
      icon: 'doc',
      targetBlank: true,
    }),
    link({ title: 'Traces in Jaeger', url: `${JAEGER_UI_URL}/search?service=${service}`, icon: 'external link', targetBlank: true }),
  ];
}

/** service-<service>: everything about one service, from its API down to its process and dependencies. */
export function serviceDashboard(entry: ServiceSlo): Dashboard {
  const { service } = entry;
  const scope = `service="${service}"`;
  const telemetry = telemetryOf(service);
  const sections: Section[] = [
    { title: 'Overview', panels: overviewPanels(scope, entry) },
    { title: 'Requests', panels: requestPanels(scope, entry) },
    { title: 'SLOs', panels: sloPanels(service, sloTargets(entry)) },
    { title: 'Business', panels: telemetry.business.map((panel) => panel(scope)) },
    { title: 'Process', panels: processPanels(scope) },
    ...(telemetry.database ? [{ title: 'Database', panels: databasePanels(scope) }] : []),
    ...(telemetry.messaging ? [{ title: 'Messaging', panels: messagingPanels(scope, telemetry.messaging) }] : []),
    ...(telemetry.calls ? [{ title: 'Outgoing HTTP', panels: outgoingPanels(scope) }] : []),
    { title: 'Logs', panels: [logs('Errors and warnings', serviceLogQuery(service), { description: 'From Elasticsearch; a line’s trace_id opens its trace in Jaeger.' })] },
  ];
  return dashboard({
    uid: `service-${service}`,
    title: `Service: ${service}`,
    description: `${service}: requests, SLOs, business metrics, process, dependencies and logs.`,
    tags: ['service'],
    links: serviceLinks(service),
    annotations: [alertAnnotation('Alerts', `alertstate="firing",${scope}`)],
    sections,
  });
}

export const serviceDashboards = (spec: SloSpec): Dashboard[] => spec.services.map(serviceDashboard);
