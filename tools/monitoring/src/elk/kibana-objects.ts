import { ERROR_COPY, INDEX_KINDS, indexPattern, type IndexKind } from './log-routing';

export const KIBANA_SAVED_OBJECTS_PATH = 'monitoring/elk/kibana/saved-objects.ndjson';

/** A data view id: one per index kind, and `ai-finance-all` for every line once. */
export type DataViewId = `ai-finance-${IndexKind}` | 'ai-finance-all';

export interface DataView {
  id: DataViewId;
  name: string;
  /** The index patterns, comma-separated, as Kibana stores a data view's title. */
  title: string;
}

/** The home kinds: every line lives in exactly one of them (errors only holds copies). */
const HOME_KINDS = INDEX_KINDS.filter((kind) => kind !== ERROR_COPY.kind);

export const DATA_VIEWS: readonly DataView[] = [
  ...INDEX_KINDS.map((kind): DataView => ({ id: `ai-finance-${kind}`, name: `ai-finance ${kind}`, title: indexPattern(kind) })),
  { id: 'ai-finance-all', name: 'ai-finance all lines, each once', title: HOME_KINDS.map(indexPattern).join(',') },
];

export interface SavedSearch {
  id: string;
  title: string;
  description: string;
  dataView: DataViewId;
  /** KQL. */
  query: string;
  columns: readonly string[];
  /** Newest first unless given. */
  sort?: ReadonlyArray<readonly [field: string, direction: 'asc' | 'desc']>;
  /** Restored with the search, so "last hour" means the last hour whatever the time picker says; the last 24 hours unless given. */
  timeRange?: { from: string; to: string };
}

export const SAVED_SEARCHES: readonly SavedSearch[] = [
  {
    id: 'ai-finance-payment-failures-last-hour',
    title: 'Payment failures (last hour)',
    description:
      'The monitoring guide\'s "payment failures in last hour": payments that failed because no provider answered. Declines by a provider are status "declined".',
    dataView: 'ai-finance-revenue',
    query: 'service_name : "payment" and log_type : "payment_transaction" and status : "failed"',
    columns: ['transaction_id', 'amount', 'currency', 'method', 'provider_errors', 'user_id', 'trace_id'],
    timeRange: { from: 'now-1h', to: 'now' },
  },
  {
    id: 'ai-finance-security-events-by-ip',
    title: 'Security events by IP (last 24 hours)',
    description: 'The monitoring guide\'s "security events by IP", sorted by client address; click ip_address in the field list for its top values.',
    dataView: 'ai-finance-security',
    query: 'log_type : "security_event"',
    columns: ['ip_address', 'event_type', 'service_name', 'user_id', 'email', 'reason', 'message'],
    sort: [
      ['ip_address', 'asc'],
      ['@timestamp', 'desc'],
    ],
  },
  {
    id: 'ai-finance-errors-by-service',
    title: 'Errors by service (last 24 hours)',
    description: 'Every error line of every service (ai-finance-errors-* holds a copy of each); sort or filter by service_name.',
    dataView: 'ai-finance-errors',
    query: 'level : "error" or log_type : "error"',
    columns: ['service_name', 'log_type', 'message', 'error.message', 'route', 'status_code', 'trace_id'],
    sort: [
      ['service_name', 'asc'],
      ['@timestamp', 'desc'],
    ],
  },
  {
    id: 'ai-finance-logs-of-a-trace',
    title: 'Logs of one trace (replace * with the trace id)',
    description: 'Every line of one request across all services, in order: replace * with the trace id from Jaeger or from an error line.',
    dataView: 'ai-finance-all',
    query: 'trace_id : *',
    columns: ['service_name', 'level', 'log_type', 'message', 'span_id', 'request_id'],
    sort: [['@timestamp', 'asc']],
  },
  {
    id: 'ai-finance-trade-executions',
    title: 'Trade executions and risk rejections (last 24 hours)',
    description: 'Filled orders and orders the risk service refused before they reached the market.',
    dataView: 'ai-finance-trading',
    query: 'log_type : "trade_execution" or log_type : "risk_check"',
    columns: ['log_type', 'symbol', 'side', 'quantity', 'price', 'notional', 'status', 'reason', 'user_id'],
  },
];

const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

function dataViewObject(view: DataView): object {
  return { type: 'index-pattern', id: view.id, attributes: { title: view.title, name: view.name, timeFieldName: '@timestamp' }, references: [] };
}

function savedSearchObject(search: SavedSearch): object {
  const searchSource = { query: { query: search.query, language: 'kuery' }, filter: [], indexRefName: INDEX_REF };
  return {
    type: 'search',
    id: search.id,
    attributes: {
      title: search.title,
      description: search.description,
      columns: search.columns,
      sort: search.sort ?? [['@timestamp', 'desc']],
      timeRestore: true,
      timeRange: search.timeRange ?? { from: 'now-24h', to: 'now' },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    references: [{ name: INDEX_REF, type: 'index-pattern', id: search.dataView }],
  };
}

/** The body of Kibana's saved-objects import: one JSON object per line. */
export function kibanaSavedObjectsNdjson(): string {
  return [...DATA_VIEWS.map(dataViewObject), ...SAVED_SEARCHES.map(savedSearchObject)].map((object) => `${JSON.stringify(object)}\n`).join('');
}
