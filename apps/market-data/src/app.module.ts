import { MessagingModule, RabbitBroker } from '@ai-finance/messaging';
import {
  HealthRegistry,
  ObservabilityModule,
  SERVICE_LOGGER,
  ServiceMetrics,
  redisCheck,
  type ServiceLogger,
} from '@ai-finance/observability';
import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { loadMarketDataConfig, MARKET_DATA_CONFIG, type MarketDataConfig } from './config';
import { MarketDataFaults } from './faults';
import { declareMarketDataMetrics, MARKET_DATA_METRICS, type MarketDataMetrics } from './metrics';
import { PriceFeed } from './quotes/price-feed';
import { QuoteCache } from './quotes/quote-cache';
import { QuotesController } from './quotes/quotes.controller';

@Module({
  imports: [ObservabilityModule.forRoot({ serviceName: 'market-data' }), MessagingModule.forRoot({ connectionName: 'market-data' })],
  controllers: [QuotesController],
  providers: [
    { provide: MARKET_DATA_CONFIG, useFactory: () => loadMarketDataConfig() },
    { provide: MARKET_DATA_METRICS, useFactory: declareMarketDataMetrics, inject: [ServiceMetrics] },
    {
      provide: Redis,
      useFactory: (config: MarketDataConfig, health: HealthRegistry) => {
        // No offline queue: while Redis is away, commands fail at once instead of piling up in memory.
        const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
        redis.on('error', () => undefined); // ioredis reconnects by itself; readiness reports the outage.
        health.register('redis', redisCheck(redis));
        return redis;
      },
      inject: [MARKET_DATA_CONFIG, HealthRegistry],
    },
    {
      provide: QuoteCache,
      useFactory: (redis: Redis, config: MarketDataConfig) => new QuoteCache(redis, config.redisKeyPrefix),
      inject: [Redis, MARKET_DATA_CONFIG],
    },
    {
      provide: PriceFeed,
      useFactory: (config: MarketDataConfig, cache: QuoteCache, broker: RabbitBroker, metrics: MarketDataMetrics, logger: ServiceLogger) =>
        new PriceFeed(config, cache, broker, metrics, logger),
      inject: [MARKET_DATA_CONFIG, QuoteCache, RabbitBroker, MARKET_DATA_METRICS, SERVICE_LOGGER],
    },
    MarketDataFaults,
  ],
})
export class AppModule implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly feed: PriceFeed,
    private readonly redis: Redis,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.feed.start();
    this.logger.info({ symbols: this.feed.symbols }, 'price feed started');
  }

  /** Before the broker closes: the tick in flight finishes publishing. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.feed.stop();
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
