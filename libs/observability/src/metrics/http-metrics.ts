import type { Histogram } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, type ServiceMetrics } from './service-metrics';

export type HttpServerLabels = 'method' | 'route' | 'status_code';

/** The name of the histogram below, by which the SLO rules, alerts and dashboards of tools/monitoring query it. */
export const HTTP_SERVER_DURATION_METRIC = 'http_server_request_duration_seconds';

/** The request-duration histogram that every SLO, latency alert and dashboard reads. */
export function declareHttpServerMetrics(metrics: ServiceMetrics): Histogram<HttpServerLabels> {
  return metrics.histogram({
    name: HTTP_SERVER_DURATION_METRIC,
    help: 'Duration of HTTP requests handled by this service, by route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS_SECONDS,
    enableExemplars: true,
  });
}
