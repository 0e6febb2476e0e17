import type { LogLevel } from './service-logger';
import { isoTimestamp } from './timestamp';

/** The fields of one access log line (log_type http_request), in the seed's field names. */
export interface AccessLogRecord {
  request_id: string;
  trace_id?: string;
  span_id?: string;
  user_id?: string;
  method: string;
  route: string;
  path: string;
  status_code: number;
  duration_ms: number;
  ip_address: string;
  user_agent?: string;
}

type LineLevel = 'error' | 'info' | 'debug';
const SEVERITY: Record<LogLevel, number> = { error: 50, warn: 40, info: 30, debug: 20 };

/**
 * One line per HTTP request, serialised here rather than by pino: the line has a fixed shape, and pino's
 * generic object walk cost half of the request hooks' time on a trivial route (docs/performance.md).
 * Lines go to the same destinations as the service logger's and look the same to Logstash.
 */
export class AccessLog {
  private readonly threshold: number;
  private readonly serviceNameJson: string;

  constructor(
    serviceName: string,
    level: LogLevel,
    private readonly destinations: ReadonlyArray<{ write(line: string): unknown }>,
  ) {
    this.threshold = SEVERITY[level];
    this.serviceNameJson = JSON.stringify(serviceName);
  }

  isLevelEnabled(level: LineLevel): boolean {
    return SEVERITY[level] >= this.threshold;
  }

  write(level: LineLevel, record: AccessLogRecord): void {
    if (!this.isLevelEnabled(level)) return;
    const line =
      `{"level":"${level}","@timestamp":"${isoTimestamp()}","service_name":${this.serviceNameJson},"log_type":"http_request",` +
      `"request_id":${JSON.stringify(record.request_id)}` +
      optional('trace_id', record.trace_id) +
      optional('span_id', record.span_id) +
      optional('user_id', record.user_id) +
      `,"method":${JSON.stringify(record.method)},"route":${JSON.stringify(record.route)},"path":${JSON.stringify(record.path)}` +
      `,"status_code":${record.status_code},"duration_ms":${record.duration_ms},"ip_address":${JSON.stringify(record.ip_address)}` +
      optional('user_agent', record.user_agent) +
      `,"message":${JSON.stringify(`${record.method} ${record.route} ${record.status_code}`)}}\n`;
    for (const destination of this.destinations) destination.write(line);
  }
}

function optional(key: string, value: string | undefined): string {
  return value === undefined ? '' : `,"${key}":${JSON.stringify(value)}`;
}
