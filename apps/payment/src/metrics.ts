import { ServiceMetrics } from '@ai-finance/observability';

/**
 * payment's business metrics, declared in one place. Labels are bounded: method and currency by the
 * API's enums, status by the three outcomes, provider by the two configured names (or `none`).
 */
export function declarePaymentMetrics(metrics: ServiceMetrics) {
  return {
    payments: metrics.counter({
      name: 'payments_total',
      help: 'Payments charged, by method, outcome (succeeded, failed, declined) and the provider that answered (none when none did). Idempotent replays are not counted.',
      labelNames: ['method', 'status', 'provider'],
    }),
    revenue: metrics.counter({
      name: 'payment_revenue_total',
      help: 'Sum of the amounts of succeeded payments, in the payment currency, by currency and method.',
      labelNames: ['currency', 'method'],
    }),
    processingDuration: metrics.histogram({
      name: 'payment_processing_duration_seconds',
      help: 'Time to charge a payment and record its outcome (provider calls, failover and the recording transaction), by outcome.',
      labelNames: ['status'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    providerFailovers: metrics.counter({
      name: 'payment_provider_failovers_total',
      help: 'Charges the primary provider failed with an error and that were handed to the backup provider, by provider names.',
      labelNames: ['from', 'to'],
    }),
  };
}

export type PaymentMetrics = ReturnType<typeof declarePaymentMetrics>;
export const PAYMENT_METRICS = Symbol('PAYMENT_METRICS');
