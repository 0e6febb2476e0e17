import { HealthRegistry, ObservabilityModule, SERVICE_LOGGER, ServiceMetrics, redisCheck, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import Redis from 'ioredis';
import { AccessTokenVerifier } from './auth/access-token-verifier';
import { GATEWAY_CONFIG, loadGatewayConfig, type GatewayConfig } from './config';
import { declareGatewayMetrics, GATEWAY_METRICS, type GatewayMetrics } from './metrics';
import { UpstreamProxy } from './proxy/upstream-proxy';
import { GatewayRouter } from './routes/gateway-router';
import { RateLimits } from './security/rate-limits';
import { installSecurityHeaders } from './security/security-headers';

@Module({
  imports: [ObservabilityModule.forRoot({ serviceName: 'api-gateway' })],
  providers: [
    { provide: GATEWAY_CONFIG, useFactory: () => loadGatewayConfig() },
    { provide: GATEWAY_METRICS, useFactory: declareGatewayMetrics, inject: [ServiceMetrics] },
    {
      provide: UpstreamProxy,
      useFactory: (config: GatewayConfig, metrics: ServiceMetrics, logger: ServiceLogger) => new UpstreamProxy(config, metrics, logger),
      inject: [GATEWAY_CONFIG, ServiceMetrics, SERVICE_LOGGER],
    },
    {
      provide: Redis,
      useFactory: (config: GatewayConfig, health: HealthRegistry) => {
        // No offline queue: while Redis is away, limits fall back to memory at once instead of waiting.
        const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
        redis.on('error', () => undefined); // ioredis reconnects by itself; readiness reports the outage.
        health.register('redis', redisCheck(redis));
        return redis;
      },
      inject: [GATEWAY_CONFIG, HealthRegistry],
    },
    { provide: RateLimits, useFactory: (redis: Redis, config: GatewayConfig) => new RateLimits(redis, config), inject: [Redis, GATEWAY_CONFIG] },
    { provide: AccessTokenVerifier, useFactory: (config: GatewayConfig) => new AccessTokenVerifier(config.jwtSecret), inject: [GATEWAY_CONFIG] },
    {
      provide: GatewayRouter,
      useFactory: (proxy: UpstreamProxy, verifier: AccessTokenVerifier, limits: RateLimits, metrics: GatewayMetrics, logger: ServiceLogger) =>
        new GatewayRouter(proxy, verifier, limits, metrics, logger),
      inject: [UpstreamProxy, AccessTokenVerifier, RateLimits, GATEWAY_METRICS, SERVICE_LOGGER],
    },
  ],
})
export class AppModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly router: GatewayRouter,
    private readonly proxy: UpstreamProxy,
    private readonly redis: Redis,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    installSecurityHeaders(fastify);
    this.router.register(fastify);
    this.logger.debug({}, 'gateway routes registered');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.proxy.close();
    this.redis.disconnect();
  }
}
