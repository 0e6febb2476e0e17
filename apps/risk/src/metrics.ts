import { ServiceMetrics } from '@ai-finance/observability';

/** risk's business metrics, declared in one place. `reason` is one of the four rejection reasons or `none`. */
export function declareRiskMetrics(metrics: ServiceMetrics) {
  return {
    checks: metrics.counter({
      name: 'risk_checks_total',
      help: 'Pre-trade risk checks, by outcome (approved, rejected) and reason (none when approved).',
      labelNames: ['outcome', 'reason'],
    }),
    checkDuration: metrics.histogram({
      name: 'risk_check_duration_seconds',
      help: 'Time to decide one pre-trade risk check, reading the user state and recording the decision.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
  };
}

export type RiskMetrics = ReturnType<typeof declareRiskMetrics>;
export const RISK_METRICS = Symbol('RISK_METRICS');
