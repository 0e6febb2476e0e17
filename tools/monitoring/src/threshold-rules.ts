import { HTTP_SERVER_DURATION_METRIC } from '@ai-finance/observability';
import Decimal from 'decimal.js';
import type { AlertingRule, RuleGroup } from './slo-rules';
import type { ServiceSlo, SloSpec } from './slo-spec';
import { durationMs } from './time-scale';

/** At least one request per second over the window: below that a ratio or a p95 is noise. */
const MIN_REQUESTS_PER_SECOND = 1;
const ERROR_WINDOW = '5m';
const LATENCY_WINDOW = '10m';
/** The windows in seconds, which turn a per-second rate over them into a count. */
const ERROR_WINDOW_SECONDS = durationMs(ERROR_WINDOW) / 1_000;
const LATENCY_WINDOW_SECONDS = durationMs(LATENCY_WINDOW) / 1_000;
const LATENCY_MIN_REQUESTS = 60;

const humanSeconds = (seconds: number): string => (seconds < 1 ? `${seconds * 1000}ms` : `${seconds}s`);

/**
 * HighErrorRate: the share of 5xx answers over 5m above the service's `errorRateThreshold`. The window
 * must hold more requests than 1 / threshold and at least one per second, so that one failed request
 * never crosses the threshold on its own; a quiet service's errors are left to the burn-rate alerts,
 * which look at a whole hour.
 */
function highErrorRate(spec: SloSpec, entry: ServiceSlo): AlertingRule {
  const threshold = new Decimal(entry.errorRateThreshold).dividedBy(100);
  const minimumRequests = Decimal.max(new Decimal(1).dividedBy(threshold).ceil(), MIN_REQUESTS_PER_SECOND * ERROR_WINDOW_SECONDS);
  const count = (matchers: string) => `sum(rate(${HTTP_SERVER_DURATION_METRIC}_count{${matchers}}[${ERROR_WINDOW}]))`;
  const service = `service="${entry.service}"`;
  return {
    alert: 'HighErrorRate',
    expr: [
      `${count(`${service},status_code=~"5.."`)}`,
      `  / (${count(service)} > 0) > ${threshold.toString()}`,
      `and ${count(service)} * ${ERROR_WINDOW_SECONDS} > ${minimumRequests.toString()}`,
    ].join('\n'),
    for: '5m',
    labels: { severity: entry.errorRateSeverity, category: 'availability', service: entry.service },
    annotations: {
      summary: `${entry.service} answers {{ $value | humanizePercentage }} of requests with a 5xx`,
      description: `Over the last 5 minutes {{ $value | humanizePercentage }} of the requests to ${entry.service} failed with a 5xx, above its error-rate SLO of ${entry.errorRateThreshold}% (more than ${minimumRequests.toString()} requests in the window).`,
      runbook_url: `${spec.runbookBaseUrl}/HighErrorRate.md`,
      dashboard_url: `${spec.dashboardBaseUrl}/service-${entry.service}`,
    },
  };
}

/**
 * SlowResponses: p95 over 10m above the latency threshold, kept only while the service had at least 60
 * requests in the window (a p95 of a handful is noise, and without requests histogram_quantile gives
 * NaN). Held for 5 minutes so that one slow burst (a GC pause, a cold cache) does not warn.
 */
function slowResponses(spec: SloSpec, entry: ServiceSlo): AlertingRule {
  const service = `service="${entry.service}"`;
  const threshold = entry.latency.thresholdSeconds;
  return {
    alert: 'SlowResponses',
    expr: [
      'histogram_quantile(0.95,',
      `  sum by (le) (rate(${HTTP_SERVER_DURATION_METRIC}_bucket{${service}}[${LATENCY_WINDOW}]))`,
      `  and on () sum(rate(${HTTP_SERVER_DURATION_METRIC}_count{${service}}[${LATENCY_WINDOW}])) * ${LATENCY_WINDOW_SECONDS} >= ${LATENCY_MIN_REQUESTS}`,
      `) > ${threshold}`,
    ].join('\n'),
    for: '5m',
    labels: { severity: 'warning', category: 'availability', service: entry.service },
    annotations: {
      summary: `${entry.service} is slow: p95 {{ $value | humanizeDuration }}`,
      description: `The 95th percentile of ${entry.service} response times over the last 10 minutes is {{ $value | humanizeDuration }}, above its latency SLO threshold of ${humanSeconds(threshold)}.`,
      runbook_url: `${spec.runbookBaseUrl}/SlowResponses.md`,
      dashboard_url: `${spec.dashboardBaseUrl}/service-${entry.service}`,
    },
  };
}

/** The threshold alerts of each service, from the same spec as the budget alerts. */
export function thresholdRuleGroup(spec: SloSpec): RuleGroup {
  return {
    name: 'slo-threshold-alerts',
    rules: [...spec.services.map((entry) => highErrorRate(spec, entry)), ...spec.services.map((entry) => slowResponses(spec, entry))],
  };
}
