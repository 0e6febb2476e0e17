import { ObservabilityModule, SERVICE_LOGGER, ServiceMetrics, type ServiceLogger } from '@ai-finance/observability';
import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { GATEWAY_CONFIG, loadGatewayConfig, type GatewayConfig } from './config';
import { UpstreamProxy } from './proxy/upstream-proxy';
import { MarketController } from './routes/market.controller';

@Module({
  imports: [ObservabilityModule.forRoot({ serviceName: 'api-gateway' })],
  controllers: [MarketController],
  providers: [
    { provide: GATEWAY_CONFIG, useFactory: () => loadGatewayConfig() },
    {
      provide: UpstreamProxy,
      useFactory: (config: GatewayConfig, metrics: ServiceMetrics, logger: ServiceLogger) => new UpstreamProxy(config, metrics, logger),
      inject: [GATEWAY_CONFIG, ServiceMetrics, SERVICE_LOGGER],
    },
  ],
})
export class AppModule implements OnApplicationShutdown {
  constructor(private readonly proxy: UpstreamProxy) {}

  async onApplicationShutdown(): Promise<void> {
    await this.proxy.close();
  }
}
