import { ServiceMetrics } from '@ai-finance/observability';

/** api-gateway's business and security metrics, declared in one place. */
export function declareGatewayMetrics(metrics: ServiceMetrics) {
  return {
    featureUsage: metrics.counter({
      name: 'feature_usage_total',
      help: 'Requests let through to a service, by product feature (the route table names them).',
      labelNames: ['feature'],
    }),
    securityEvents: metrics.counter({
      name: 'security_events_total',
      help: 'Security events seen at the gateway: invalid_token, forbidden, rate_limited.',
      labelNames: ['type'],
    }),
  };
}

export type GatewayMetrics = ReturnType<typeof declareGatewayMetrics>;
export const GATEWAY_METRICS = Symbol('GATEWAY_METRICS');
