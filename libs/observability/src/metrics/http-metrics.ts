import type { Histogram } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, type ServiceMetrics } from './service-metrics';

export type HttpServerLabels = 'method' | 'route' | 'status_code';

/** The request-duration histogram that every SLO, latency alert and dashboard reads. */
export function declareHttpServerMetrics(metrics: ServiceMetrics): Histogram<HttpServerLabels> {
  return metrics.histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests handled by this service, by route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS_SECONDS,
    enableExemplars: true,
  });
}
