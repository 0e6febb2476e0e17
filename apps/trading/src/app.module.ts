import { DatabaseModule } from '@ai-finance/database';
import { MessagingModule } from '@ai-finance/messaging';
import { DEFAULT_HTTP_CLIENT_OPTIONS, ObservabilityModule, ServiceMetrics, TracedHttpClient } from '@ai-finance/observability';
import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { loadTradingConfig, TRADING_CONFIG, type TradingConfig } from './config';
import { ExecutionLatency } from './execution/execution-latency';
import { TradingFaults } from './faults';
import { TickMatcher } from './matching/tick-matcher';
import { declareTradingMetrics, TRADING_METRICS } from './metrics';
import { TRADING_MIGRATIONS } from './migrations';
import { OrderCancellation } from './orders/order-cancellation';
import { OrderFills } from './orders/order-fills';
import { OrderPlacement } from './orders/order-placement';
import { OrdersController } from './orders/orders.controller';
import { OrdersRepository } from './orders/orders.repository';
import { MarketDataClient } from './upstream/market-data.client';
import { RiskClient } from './upstream/risk.client';

function upstreamClient(target: string, baseUrl: string, config: TradingConfig, metrics: ServiceMetrics): TracedHttpClient {
  return new TracedHttpClient(
    {
      ...DEFAULT_HTTP_CLIENT_OPTIONS,
      target,
      baseUrl,
      connections: 32,
      connectTimeoutMs: Math.min(DEFAULT_HTTP_CLIENT_OPTIONS.connectTimeoutMs, config.upstreamTimeoutMs),
      headersTimeoutMs: config.upstreamTimeoutMs,
      bodyTimeoutMs: config.upstreamTimeoutMs,
    },
    metrics,
  );
}

@Module({
  imports: [
    ObservabilityModule.forRoot({ serviceName: 'trading' }),
    DatabaseModule.forRoot({ schema: 'trading', migrations: TRADING_MIGRATIONS }),
    MessagingModule.forRoot({ connectionName: 'trading', transactional: true }),
  ],
  controllers: [OrdersController],
  providers: [
    { provide: TRADING_CONFIG, useFactory: () => loadTradingConfig() },
    { provide: TRADING_METRICS, useFactory: declareTradingMetrics, inject: [ServiceMetrics] },
    {
      provide: MarketDataClient,
      useFactory: (config: TradingConfig, metrics: ServiceMetrics) => new MarketDataClient(upstreamClient('market-data', config.marketDataUrl, config, metrics)),
      inject: [TRADING_CONFIG, ServiceMetrics],
    },
    {
      provide: RiskClient,
      useFactory: (config: TradingConfig, metrics: ServiceMetrics) => new RiskClient(upstreamClient('risk', config.riskUrl, config, metrics)),
      inject: [TRADING_CONFIG, ServiceMetrics],
    },
    ExecutionLatency,
    TradingFaults,
    OrdersRepository,
    OrderFills,
    OrderPlacement,
    OrderCancellation,
    TickMatcher,
  ],
})
export class AppModule implements OnApplicationShutdown {
  constructor(
    private readonly marketData: MarketDataClient,
    private readonly risk: RiskClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.marketData.close(), this.risk.close()]);
  }
}
