/**
 * Where each log line goes: the one source of the logs pipeline's routing and retention.
 *
 * `npm run generate:monitoring` turns this table into the Logstash routing filter
 * (monitoring/elk/logstash/pipeline/30-route.conf), the ILM policies and the index templates; the tests
 * evaluate it (and the generated filter) against lines written by the library's real logger.
 */

export const INDEX_KINDS = ['logs', 'errors', 'security', 'revenue', 'trading'] as const;
export type IndexKind = (typeof INDEX_KINDS)[number];

export interface IndexSpec {
  kind: IndexKind;
  /** What the seed (monitoring-guide.md, "Log Indices") says the index holds. */
  holds: string;
  /**
   * One index per day or per month. A year of daily indices for three kinds would be over a thousand
   * shards on one node, past Elasticsearch's default `cluster.max_shards_per_node` (1000).
   */
  period: 'daily' | 'monthly';
  /** Every line is kept at least this long; the ILM delete phase adds the index period on top. */
  retentionDays: number;
  whyRetention: string;
}

export const LOG_INDICES: readonly IndexSpec[] = [
  {
    kind: 'logs',
    holds: 'general application logs: every line that has no business index of its own',
    period: 'daily',
    retentionDays: 14,
    whyRetention: 'access and application lines are for debugging this and last week; Prometheus keeps the long-term numbers',
  },
  {
    kind: 'errors',
    holds: 'a copy of every error line, whatever its home index, for quick troubleshooting',
    period: 'daily',
    retentionDays: 30,
    whyRetention: 'one SLO window (30 days), so a post-mortem of any error that spent error budget still finds its lines',
  },
  {
    kind: 'security',
    holds: 'security events (auth failures, lockouts, invalid tokens, rate limits, refused webhooks) and the audit trail',
    period: 'monthly',
    retentionDays: 365,
    whyRetention: 'a year of security and audit history, as PCI DSS 10.5.1 asks of audit logs; incidents are often found months late',
  },
  {
    kind: 'revenue',
    holds: 'payment transactions (succeeded, declined, failed)',
    period: 'monthly',
    retentionDays: 400,
    whyRetention: 'thirteen months: a whole month can be compared with the same month a year earlier; the ledger in PostgreSQL stays the record of account',
  },
  {
    kind: 'trading',
    holds: 'trade executions and pre-trade risk rejections',
    period: 'monthly',
    retentionDays: 365,
    whyRetention: 'a year of order activity for disputes and investigations; the trading database stays the record of the orders',
  },
];

/** A business index and the `log_type` values that live there. */
export interface HomeRoute {
  kind: Exclude<IndexKind, 'logs' | 'errors'>;
  logTypes: readonly string[];
}

/** Checked in this order; a line whose `log_type` is in none of them lives in `logs`. */
export const HOME_ROUTES: readonly HomeRoute[] = [
  // The seed: "ai-finance-security-*: Security events and audit logs".
  { kind: 'security', logTypes: ['security_event', 'audit'] },
  { kind: 'revenue', logTypes: ['payment_transaction'] },
  // risk_check lines are pre-trade rejections of orders: trading activity, kept with the fills.
  { kind: 'trading', logTypes: ['trade_execution', 'risk_check'] },
];

export const DEFAULT_KIND: IndexKind = 'logs';

/**
 * Every error line is also written to `errors`, so ai-finance-errors-* holds all of them, a failed
 * payment included, while its home index keeps the complete business record. Homes never include
 * `errors`, so searching logs, security, revenue and trading together sees every line exactly once.
 */
export const ERROR_COPY = {
  kind: 'errors',
  /** pino's `fatal` is folded into `error` by the library; a line from elsewhere may still say it. */
  levels: ['error', 'fatal'],
  logTypes: ['error'],
} as const;

/** The fields a log line is routed by. */
export interface RoutableLine {
  level?: unknown;
  log_type?: unknown;
}

export interface Destination {
  home: IndexKind;
  errorCopy: boolean;
}

export function destinationOf(line: RoutableLine): Destination {
  const home = HOME_ROUTES.find((route) => route.logTypes.includes(String(line.log_type)))?.kind ?? DEFAULT_KIND;
  const errorCopy = (ERROR_COPY.levels as readonly unknown[]).includes(line.level) || (ERROR_COPY.logTypes as readonly unknown[]).includes(line.log_type);
  return { home, errorCopy };
}

/** The kinds of index a line is written to: its home, then `errors` when it is an error line. */
export function indexKindsOf(line: RoutableLine): IndexKind[] {
  const { home, errorCopy } = destinationOf(line);
  return errorCopy ? [home, ERROR_COPY.kind] : [home];
}

export function indexSpec(kind: IndexKind): IndexSpec {
  const spec = LOG_INDICES.find((entry) => entry.kind === kind);
  if (!spec) throw new Error(`no index spec for kind ${kind}`);
  return spec;
}

export const indexPrefix = (kind: IndexKind): string => `ai-finance-${kind}-`;
export const indexPattern = (kind: IndexKind): string => `${indexPrefix(kind)}*`;

/** Logstash's sprintf date suffix (Joda pattern of the event's @timestamp, in UTC). */
export const DATE_SUFFIX: Record<IndexSpec['period'], string> = { daily: '%{+YYYY.MM.dd}', monthly: '%{+YYYY.MM}' };

/** The index name Logstash writes, with its date pattern: `ai-finance-logs-%{+YYYY.MM.dd}`. */
export const indexNameTemplate = (kind: IndexKind): string => `${indexPrefix(kind)}${DATE_SUFFIX[indexSpec(kind).period]}`;

/** Days after an index's creation before ILM deletes it: retention plus the days the index keeps receiving lines. */
export const deleteAfterDays = (spec: IndexSpec): number => spec.retentionDays + (spec.period === 'daily' ? 1 : 31);
