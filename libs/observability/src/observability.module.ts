import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_FILTER, APP_PIPE, HttpAdapterHost } from '@nestjs/core';
import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { installJsonBodyParser } from './bootstrap/json-body-parser';
import { StrictValidationPipe } from './bootstrap/strict-validation-pipe';
import { resolveObservabilityConfig, type ObservabilityConfig, type ObservabilityModuleOptions } from './config/observability-config';
import { HttpErrorFilter } from './errors/http-error.filter';
import { FaultAccessGuard } from './faults/fault-access.guard';
import { FAULT_INJECTION_SETTINGS, loadFaultInjectionSettings, type FaultInjectionSettings } from './faults/fault-injection-settings';
import { FaultRegistry } from './faults/fault-registry';
import { FaultsController } from './faults/faults.controller';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { installRequestLifecycle } from './http/request-lifecycle';
import { createLogPipeline, type LogPipeline } from './logging/log-pipeline';
import { NestLoggerBridge } from './logging/nest-logger';
import type { ServiceLogger } from './logging/service-logger';
import { declareHttpServerMetrics } from './metrics/http-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { ServiceMetrics } from './metrics/service-metrics';
import { declareSpanExportMetrics } from './metrics/span-export-metrics';
import { activeTracing } from './tracing/start-tracing';
import { OBSERVABILITY_CONFIG, SERVICE_LOGGER } from './observability.tokens';

const LOG_PIPELINE = Symbol('LOG_PIPELINE');

@Injectable()
class ObservabilityLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: ServiceMetrics,
    @Inject(OBSERVABILITY_CONFIG) private readonly config: ObservabilityConfig,
    @Inject(LOG_PIPELINE) private readonly pipeline: LogPipeline,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || typeof fastify.addHook !== 'function') {
      throw new Error('ObservabilityModule needs NestJS on the Fastify adapter (FastifyAdapter)');
    }
    if (this.config.requestTelemetry) installRequestLifecycle(fastify, {
      accessLog: this.pipeline.accessLog,
      histogram: declareHttpServerMetrics(this.metrics),
      tracer: trace.getTracer('@ai-finance/observability'),
    });
    const spanExports = activeTracing()?.counts();
    if (spanExports) declareSpanExportMetrics(this.metrics, spanExports);
    // The APIs speak JSON only (docs/api.md): a text/plain body would reach validation as one string and
    // come back as a list of every missing field, and a form body would pass for a JSON object; 415 says
    // what is actually wrong.
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      if (fastify.hasContentTypeParser(contentType)) fastify.removeContentTypeParser(contentType);
    }
    installJsonBodyParser(fastify);
  }

  onApplicationShutdown(): void {
    this.pipeline.close();
  }
}

export interface ObservabilityForRootOptions extends ObservabilityModuleOptions {
  /** Replaces stdout as the log destination (tests capture lines this way). */
  logDestination?: DestinationStream;
}

/**
 * Metrics, logs, traces, request context, health, error handling and fault switches for one service,
 * in one import: `ObservabilityModule.forRoot({ serviceName: 'payment' })`.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityForRootOptions): DynamicModule {
    const config = resolveObservabilityConfig(options);
    const faultInjection = loadFaultInjectionSettings(options.env ?? process.env);
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [MetricsController, HealthController, FaultsController],
      providers: [
        { provide: OBSERVABILITY_CONFIG, useValue: config },
        { provide: FAULT_INJECTION_SETTINGS, useValue: faultInjection },
        { provide: ServiceMetrics, useFactory: (c: ObservabilityConfig) => new ServiceMetrics(c.serviceName), inject: [OBSERVABILITY_CONFIG] },
        {
          provide: LOG_PIPELINE,
          useFactory: (c: ObservabilityConfig, metrics: ServiceMetrics) => createLogPipeline(c, metrics, options.logDestination),
          inject: [OBSERVABILITY_CONFIG, ServiceMetrics],
        },
        { provide: SERVICE_LOGGER, useFactory: (pipeline: LogPipeline) => pipeline.logger, inject: [LOG_PIPELINE] },
        { provide: NestLoggerBridge, useFactory: (logger: ServiceLogger) => new NestLoggerBridge(logger), inject: [SERVICE_LOGGER] },
        {
          provide: HealthRegistry,
          useFactory: (metrics: ServiceMetrics) =>
            new HealthRegistry(
              metrics.gauge({
                name: 'health_dependency_up',
                help: 'Whether a dependency answered the last readiness check (1) or not (0).',
                labelNames: ['dependency'],
              }),
            ),
          inject: [ServiceMetrics],
        },
        {
          provide: FaultRegistry,
          useFactory: (c: ObservabilityConfig, settings: FaultInjectionSettings, metrics: ServiceMetrics, logger: ServiceLogger) =>
            new FaultRegistry({
              serviceName: c.serviceName,
              enabled: settings.enabled,
              logger,
              activeGauge: metrics.gauge({
                name: 'fault_injection_active',
                help: 'Whether a named fault is injected into the service on purpose (1) or not (0); see docs/fault-injection.md.',
                labelNames: ['fault'],
              }),
            }),
          inject: [OBSERVABILITY_CONFIG, FAULT_INJECTION_SETTINGS, ServiceMetrics, SERVICE_LOGGER],
        },
        FaultAccessGuard,
        ObservabilityLifecycle,
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        {
          provide: APP_PIPE,
          useFactory: () => new StrictValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false }),
        },
      ],
      exports: [OBSERVABILITY_CONFIG, ServiceMetrics, SERVICE_LOGGER, NestLoggerBridge, HealthRegistry, FaultRegistry],
    };
  }
}
