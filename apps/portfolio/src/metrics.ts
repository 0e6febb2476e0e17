import { ServiceMetrics } from '@ai-finance/observability';

/** portfolio's business metrics, declared in one place. */
export function declarePortfolioMetrics(metrics: ServiceMetrics) {
  return {
    pnl: metrics.gauge({
      name: 'portfolio_pnl',
      help: 'Profit and loss of every position on the platform, in USD, by kind (realized, unrealized); recomputed from PostgreSQL periodically.',
      labelNames: ['kind'],
    }),
    positionsOpen: metrics.gauge({
      name: 'portfolio_positions_open',
      help: 'Positions (user and symbol) whose quantity is not zero, long or short; recomputed from PostgreSQL periodically.',
    }),
    tradesApplied: metrics.counter({
      name: 'portfolio_trades_applied_total',
      help: 'trade.executed events applied to positions (repeats of an already applied trade are not counted).',
    }),
  };
}

export type PortfolioMetrics = ReturnType<typeof declarePortfolioMetrics>;
export const PORTFOLIO_METRICS = Symbol('PORTFOLIO_METRICS');
