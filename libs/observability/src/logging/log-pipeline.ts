import pino, { type DestinationStream } from 'pino';
import type { ObservabilityConfig } from '../config/observability-config';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { DEFAULT_SHIPPER_OPTIONS, ElasticsearchShipper, type DropReason } from './elasticsearch-shipper';
import { AccessLog } from './access-log';
import { flushQuietly, loggerOptions, stdoutDestination, type ServiceLogger } from './service-logger';

export interface LogPipeline {
  logger: ServiceLogger;
  /** One line per HTTP request (log_type http_request), to the same destinations. */
  accessLog: AccessLog;
  close(): void;
}

const DROP_REASONS: DropReason[] = ['buffer_full', 'elasticsearch_unavailable', 'rejected'];

/** stdout always; Elasticsearch as well when ELASTICSEARCH_URL is set. */
export function createLogPipeline(config: ObservabilityConfig, metrics: ServiceMetrics, stdout?: DestinationStream): LogPipeline {
  const dropped = metrics.counter({
    name: 'log_records_dropped_total',
    help: 'Log records not shipped to Elasticsearch (they were still written to stdout), by reason.',
    labelNames: ['reason'],
  });
  const shipped = metrics.counter({
    name: 'log_records_shipped_total',
    help: 'Log records acknowledged by Elasticsearch.',
  });
  // Present from the start, so that rate() and alerts see a zero rather than no series.
  for (const reason of DROP_REASONS) dropped.inc({ reason }, 0);

  const console = stdout ?? stdoutDestination();
  const options = loggerOptions(config.serviceName, config.logLevel, () => flushQuietly(console));
  if (!config.elasticsearch) {
    return { logger: pino(options, console), accessLog: new AccessLog(config.serviceName, config.logLevel, [console]), close: () => undefined };
  }

  const shipper = new ElasticsearchShipper({ ...DEFAULT_SHIPPER_OPTIONS, ...config.elasticsearch }, dropped, shipped);
  const streams = pino.multistream([
    { level: config.logLevel, stream: console },
    { level: config.logLevel, stream: shipper },
  ]);
  return {
    logger: pino(options, streams),
    accessLog: new AccessLog(config.serviceName, config.logLevel, [console, shipper]),
    close: () => shipper.close(),
  };
}
