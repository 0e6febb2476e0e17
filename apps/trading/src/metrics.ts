import { ServiceMetrics } from '@ai-finance/observability';

/**
 * trading's business metrics, declared in one place. `symbol` is bounded: an order is only accepted
 * for a symbol market-data knows.
 */
export function declareTradingMetrics(metrics: ServiceMetrics) {
  return {
    orders: metrics.counter({
      name: 'orders_total',
      help: 'Order decisions by type, side and the status decided (filled, open, rejected, cancelled); a resting order that later fills or is cancelled counts again then.',
      labelNames: ['type', 'side', 'status'],
    }),
    tradesExecuted: metrics.counter({
      name: 'trades_executed_total',
      help: 'Trades executed, by symbol and side.',
      labelNames: ['symbol', 'side'],
    }),
    tradeVolume: metrics.counter({
      name: 'trade_volume_total',
      help: 'Notional value of executed trades in USD, by symbol.',
      labelNames: ['symbol'],
    }),
    executionDuration: metrics.histogram({
      name: 'trade_execution_duration_seconds',
      help: 'Time from an order request arriving to its fill, for orders filled immediately (market and marketable limit orders).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
  };
}

export type TradingMetrics = ReturnType<typeof declareTradingMetrics>;
export const TRADING_METRICS = Symbol('TRADING_METRICS');
