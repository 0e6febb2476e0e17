/*
 * Small PromQL writers, so that every dashboard query has the same shape: rates over Grafana's
 * $__rate_interval (never shorter than four scrapes), totals over the dashboard's $__range, ratios whose
 * denominator is guarded with `> 0` (no NaN while a service is quiet), and aggregations that keep only
 * bounded labels.
 */

export const RATE_INTERVAL = '$__rate_interval';
export const RANGE = '$__range';

/** Label matchers joined into one selector body; empty ones are left out. */
export const matchers = (...parts: string[]): string => parts.filter(Boolean).join(',');

export const series = (metric: string, selector = ''): string => (selector ? `${metric}{${selector}}` : metric);

const aggregate = (operator: string, labels: readonly string[], expr: string): string =>
  labels.length > 0 ? `${operator} by (${labels.join(', ')}) (${expr})` : `${operator}(${expr})`;

export const sum = (expr: string, labels: readonly string[] = []): string => aggregate('sum', labels, expr);
export const max = (expr: string, labels: readonly string[] = []): string => aggregate('max', labels, expr);
export const min = (expr: string, labels: readonly string[] = []): string => aggregate('min', labels, expr);
export const count = (expr: string, labels: readonly string[] = []): string => aggregate('count', labels, expr);

export const rate = (metric: string, selector = ''): string => `rate(${series(metric, selector)}[${RATE_INTERVAL}])`;
export const sumRate = (metric: string, selector = '', labels: readonly string[] = []): string => sum(rate(metric, selector), labels);

/** How much a counter grew over the dashboard's time range. */
export const sumIncrease = (metric: string, selector = '', labels: readonly string[] = []): string =>
  sum(`increase(${series(metric, selector)}[${RANGE}])`, labels);

/** numerator / denominator, with no result (rather than NaN) while the denominator is 0. */
export const ratio = (numerator: string, denominator: string): string => `${numerator} / (${denominator} > 0)`;

/** The q-quantile of a histogram's observations in each rate interval, per `labels`. */
export const quantile = (q: number, histogram: string, selector = '', labels: readonly string[] = []): string =>
  `histogram_quantile(${q}, ${sum(rate(`${histogram}_bucket`, selector), [...labels, 'le'])})`;

/** The same query a day earlier: the rates in it are shifted by `offset 1d`. */
export const dayEarlier = (expr: string): string => expr.replaceAll(`[${RATE_INTERVAL}]`, `[${RATE_INTERVAL}] offset 1d`);

export const perHour = (expr: string): string => `${expr} * 3600`;
export const perMinute = (expr: string): string => `${expr} * 60`;

/** Seconds since a Unix-time gauge was set; a gauge still at 0 (never set) gives nothing. */
export const age = (metric: string, selector = ''): string => `time() - (${series(metric, selector)} > 0)`;
