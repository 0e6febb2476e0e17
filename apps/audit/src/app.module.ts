import { BUSINESS_EVENT_KEYS } from '@ai-finance/contracts';
import { Database, DatabaseModule } from '@ai-finance/database';
import { ExactlyOnceConsumer, MessagingModule } from '@ai-finance/messaging';
import { ObservabilityModule, PeriodicRefresh, SERVICE_LOGGER, ServiceMetrics, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditController } from './audit/audit.controller';
import { AuditLog } from './audit/audit-log';
import { AUDIT_MIGRATIONS } from './audit/migrations';
import { AUDIT_CONFIG, loadAuditConfig, type AuditConfig } from './config';
import { AUDIT_METRICS, declareAuditMetrics, type AuditMetrics } from './metrics';

/** The queue every business event is copied to for the audit trail. */
export const AUDIT_QUEUE = 'audit.events';

@Module({
  imports: [
    ObservabilityModule.forRoot({ serviceName: 'audit' }),
    DatabaseModule.forRoot({ schema: 'audit', migrations: AUDIT_MIGRATIONS }),
    MessagingModule.forRoot({ connectionName: 'audit', transactional: true }),
  ],
  controllers: [AuditController],
  providers: [
    { provide: AUDIT_CONFIG, useFactory: () => loadAuditConfig() },
    { provide: AUDIT_METRICS, useFactory: declareAuditMetrics, inject: [ServiceMetrics] },
    {
      provide: AuditLog,
      useFactory: (database: Database, config: AuditConfig, metrics: AuditMetrics, logger: ServiceLogger) => new AuditLog(database, config, metrics, logger),
      inject: [Database, AUDIT_CONFIG, AUDIT_METRICS, SERVICE_LOGGER],
    },
  ],
})
export class AppModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly gauges: PeriodicRefresh;

  constructor(
    @Inject(AuditLog) private readonly auditLog: AuditLog,
    @Inject(ExactlyOnceConsumer) private readonly consumer: ExactlyOnceConsumer,
    @Inject(AUDIT_CONFIG) private readonly config: AuditConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {
    this.gauges = new PeriodicRefresh(() => this.auditLog.refreshGauges(), {
      intervalMs: config.metricsRefreshMs,
      failureMessage: 'could not read the audit chain head for the gauges',
      logger,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.gauges.start();
    await this.consumer.consume<unknown>(
      AUDIT_QUEUE,
      [...BUSINESS_EVENT_KEYS],
      async (payload, tx, message) => {
        const timestamp = message.properties.timestamp as number | undefined;
        await this.auditLog.append(tx, {
          eventId: String(message.properties.messageId),
          eventType: message.fields.routingKey,
          payload,
          messageTimestampSeconds: typeof timestamp === 'number' ? timestamp : undefined,
        });
      },
      { prefetch: this.config.consumerPrefetch },
    );
    this.logger.info({ queue: AUDIT_QUEUE, binding_keys: BUSINESS_EVENT_KEYS }, 'auditing every business event');
  }

  onApplicationShutdown(): Promise<void> {
    return this.gauges.stop();
  }
}
