import { HTTP_SERVER_DURATION_METRIC } from '@ai-finance/observability';
import Decimal from 'decimal.js';
import type { ServiceSlo, SloSpec } from './slo-spec';
import { durationMs } from './time-scale';

/*
 * Multi-window, multi-burn-rate alerts as in the Google SRE Workbook, chapter "Alerting on SLOs",
 * table 5-8: page when 2% of a 30-day budget burns in 1 hour (burn rate 14.4, checked over 1h and 5m),
 * open a ticket-level warning when 5% burns in 6 hours (burn rate 6, over 6h and 30m).
 */
export const BURN_RATE_ALERTS = [
  { alert: 'ErrorBudgetFastBurn', burnRate: '14.4', longWindow: '1h', shortWindow: '5m', severity: 'critical', budgetShare: '2%', spent: '1 hour' },
  { alert: 'ErrorBudgetSlowBurn', burnRate: '6', longWindow: '6h', shortWindow: '30m', severity: 'warning', budgetShare: '5%', spent: '6 hours' },
] as const;

/** Windows with a recorded error ratio: those the alerts use, and the ones dashboards show. */
export const RATIO_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

/** The SLO period: the spec's `window`, the only one it allows. */
const SLO_WINDOW = '30d';

/** A window in seconds, the factor that turns a per-second rate over it into a count. */
const seconds = (window: string): number => durationMs(window) / 1_000;

export type SloName = 'availability' | 'latency';

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Array<RecordingRule | AlertingRule>;
}

interface Sli {
  slo: SloName;
  /** Objective as a ratio string, e.g. "0.9995". */
  objective: string;
  /** 1 - objective, e.g. "0.0005". */
  budget: string;
  /** PromQL for the rate of bad events over `window`. */
  errors(window: string): string;
  /** PromQL for the rate of all events over `window`. */
  requests(window: string): string;
  describe: string;
}

function slisOf(entry: ServiceSlo): Sli[] {
  const total = (window: string) => `sum(rate(${HTTP_SERVER_DURATION_METRIC}_count{service="${entry.service}"}[${window}]))`;
  const ratio = (percent: number) => new Decimal(percent).dividedBy(100);
  const availability = ratio(entry.availability.objective);
  const latency = ratio(entry.latency.objective);
  const le = String(entry.latency.thresholdSeconds);
  return [
    {
      slo: 'availability',
      objective: availability.toString(),
      budget: new Decimal(1).minus(availability).toString(),
      // A service that never failed has no 5xx series: count that as zero errors, not as no data.
      errors: (window) => `(sum(rate(${HTTP_SERVER_DURATION_METRIC}_count{service="${entry.service}",status_code=~"5.."}[${window}])) or 0 * ${total(window)})`,
      requests: total,
      describe: `${entry.availability.objective}% of requests answered without a 5xx`,
    },
    {
      slo: 'latency',
      objective: latency.toString(),
      budget: new Decimal(1).minus(latency).toString(),
      errors: (window) => `clamp_min(${total(window)} - sum(rate(${HTTP_SERVER_DURATION_METRIC}_bucket{service="${entry.service}",le="${le}"}[${window}])), 0)`,
      requests: total,
      describe: `${entry.latency.objective}% of requests answered within ${entry.latency.thresholdSeconds * 1000} ms`,
    },
  ];
}

function recordingRules(entry: ServiceSlo, sli: Sli): RecordingRule[] {
  const labels = { service: entry.service, slo: sli.slo };
  const selector = `{service="${entry.service}",slo="${sli.slo}"}`;
  const rules: RecordingRule[] = [
    { record: 'slo:objective:ratio', expr: `vector(${sli.objective})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${sli.budget})`, labels },
    { record: 'slo:sli_errors:rate5m', expr: sli.errors('5m'), labels },
    { record: 'slo:sli_requests:rate5m', expr: sli.requests('5m'), labels },
  ];
  for (const window of RATIO_WINDOWS) {
    // "> 0" drops the series while there is no traffic: no NaN from 0/0, and nothing for an alert to see.
    const expr =
      window === '5m' ? `slo:sli_errors:rate5m${selector} / (slo:sli_requests:rate5m${selector} > 0)` : `${sli.errors(window)} / (${sli.requests(window)} > 0)`;
    rules.push({ record: `slo:sli_error:ratio_rate${window}`, expr, labels });
  }
  for (const { longWindow } of BURN_RATE_ALERTS) {
    rules.push({ record: `slo:sli_requests:increase${longWindow}`, expr: `${sli.requests(longWindow)} * ${seconds(longWindow)}`, labels });
  }
  rules.push(
    {
      record: `slo:sli_error:ratio_rate${SLO_WINDOW}`,
      // Traffic-weighted over the period, from the 5-minute rates already recorded (cheap to evaluate).
      expr: `sum_over_time(slo:sli_errors:rate5m${selector}[${SLO_WINDOW}]) / (sum_over_time(slo:sli_requests:rate5m${selector}[${SLO_WINDOW}]) > 0)`,
      labels,
    },
    { record: `slo:sli_requests:increase${SLO_WINDOW}`, expr: `avg_over_time(slo:sli_requests:rate5m${selector}[${SLO_WINDOW}]) * ${seconds(SLO_WINDOW)}`, labels },
    {
      record: 'slo:error_budget:remaining_ratio',
      expr: `1 - slo:sli_error:ratio_rate${SLO_WINDOW}${selector} / ${sli.budget}`,
      labels,
    },
  );
  return rules;
}

function alertingRules(spec: SloSpec, entry: ServiceSlo, sli: Sli): AlertingRule[] {
  const selector = `{service="${entry.service}",slo="${sli.slo}"}`;
  const dashboard = `${spec.dashboardBaseUrl}/slo-overview?var-service=${entry.service}`;
  const burnAlerts = BURN_RATE_ALERTS.map(({ alert, burnRate, longWindow, shortWindow, severity, budgetShare, spent }) => {
    const threshold = `(${burnRate} * ${sli.budget})`;
    return {
      alert,
      // The last line keeps a quiet service from paging on one failed request: with fewer requests
      // than 1 / threshold in the long window, a single bad one cannot exceed the threshold anyway.
      expr: [
        `slo:sli_error:ratio_rate${longWindow}${selector} > ${threshold}`,
        `and slo:sli_error:ratio_rate${shortWindow}${selector} > ${threshold}`,
        `and slo:sli_requests:increase${longWindow}${selector} > (1 / ${threshold})`,
      ].join('\n'),
      labels: { severity, category: 'slo', service: entry.service, slo: sli.slo },
      annotations: {
        summary: `${entry.service} is burning its ${sli.slo} error budget ${burnRate}x too fast`,
        description: `Over the last ${longWindow} and ${shortWindow}, ${entry.service} missed its ${sli.slo} SLO (${sli.describe}) at ${burnRate} times the sustainable rate: at this pace ${budgetShare} of the 30-day budget is gone in ${spent}. Error ratio ({{ $labels.slo }}, ${longWindow}): {{ $value | humanizePercentage }}.`,
        runbook_url: `${spec.runbookBaseUrl}/${alert}.md`,
        dashboard_url: dashboard,
      },
    } satisfies AlertingRule;
  });
  const breach: AlertingRule = {
    alert: 'SLOBreach',
    expr: [
      `slo:error_budget:remaining_ratio${selector} < 0`,
      `and slo:sli_requests:increase30d${selector} > (1 / ${sli.budget})`,
    ].join('\n'),
    for: '15m',
    labels: { severity: 'critical', category: 'slo', service: entry.service, slo: sli.slo },
    annotations: {
      summary: `${entry.service} is below its ${sli.slo} SLO over 30 days`,
      description: `${entry.service} has spent its whole 30-day ${sli.slo} error budget (${sli.describe}); remaining budget {{ $value | humanizePercentage }}.`,
      runbook_url: `${spec.runbookBaseUrl}/SLOBreach.md`,
      dashboard_url: dashboard,
    },
  };
  return [...burnAlerts, breach];
}

/**
 * Availability seen from outside: the share of blackbox probes of /health/ready that succeeded. A
 * service that is down answers no request, so its own request SLI sees nothing; the probe does. Shown
 * beside the request SLIs; the alerts on it are ServiceDown and ServiceNotReady, which wait out a restart.
 */
function probeRecordingRules(entry: ServiceSlo): RecordingRule[] {
  const labels = { service: entry.service };
  const probes = `probe_success{job="blackbox",service="${entry.service}"}`;
  return [
    ...RATIO_WINDOWS.map((window) => ({ record: `slo:probe_success:ratio_rate${window}`, expr: `avg(avg_over_time(${probes}[${window}]))`, labels })),
    // From the 5-minute ratio already recorded: 8,640 points a month instead of every probe.
    { record: 'slo:probe_success:ratio_rate30d', expr: `avg_over_time(slo:probe_success:ratio_rate5m{service="${entry.service}"}[30d])`, labels },
  ];
}

/** The rule groups of rules/slo.yml: one recording group per service, one group with every SLO alert. */
export function sloRuleGroups(spec: SloSpec): RuleGroup[] {
  const recording = spec.services.map((entry) => ({
    name: `slo-recording-${entry.service}`,
    rules: [...slisOf(entry).flatMap((sli) => recordingRules(entry, sli)), ...probeRecordingRules(entry)],
  }));
  const alerts = { name: 'slo-alerts', rules: spec.services.flatMap((entry) => slisOf(entry).flatMap((sli) => alertingRules(spec, entry, sli))) };
  return [...recording, alerts];
}
