import { ServiceMetrics } from '@ai-finance/observability';

/** market-data's business metrics, declared in one place. `symbol` is bounded by the configured list. */
export function declareMarketDataMetrics(metrics: ServiceMetrics) {
  return {
    ticksPublished: metrics.counter({
      name: 'market_data_ticks_total',
      help: 'Price ticks produced by the feed, by symbol and by whether RabbitMQ took them.',
      labelNames: ['symbol', 'outcome'],
    }),
    lastTickTimestamp: metrics.gauge({
      name: 'market_data_last_tick_timestamp_seconds',
      help: 'Unix time of the latest price tick per symbol; staleness is time() minus this.',
      labelNames: ['symbol'],
    }),
    price: metrics.gauge({
      name: 'market_data_price',
      help: 'Latest simulated price per symbol, in the quote currency.',
      labelNames: ['symbol'],
    }),
    feedLatency: metrics.histogram({
      name: 'market_data_feed_latency_seconds',
      help: 'Time from a price tick being produced to RabbitMQ confirming its publication.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    quoteRequests: metrics.counter({
      name: 'market_data_quote_requests_total',
      help: 'Quote look-ups, by outcome (found, unknown_symbol, not_yet_priced).',
      labelNames: ['outcome'],
    }),
  };
}

export type MarketDataMetrics = ReturnType<typeof declareMarketDataMetrics>;
export const MARKET_DATA_METRICS = Symbol('MARKET_DATA_METRICS');
