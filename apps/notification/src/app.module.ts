import { Database, DatabaseModule } from '@ai-finance/database';
import { ExactlyOnceConsumer, MessagingModule, Outbox } from '@ai-finance/messaging';
import { ObservabilityModule, SERVICE_LOGGER, ServiceMetrics, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Module, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AlertsController } from './alerts/alerts.controller';
import { Channels } from './channels/channels';
import { loadNotificationConfig, NOTIFICATION_CONFIG, type NotificationConfig } from './config';
import { declareNotificationMetrics, NOTIFICATION_METRICS, type NotificationMetrics } from './metrics';
import { Dispatcher } from './notifications/dispatcher';
import { EventNotifications, NOTIFICATION_EVENT_KEYS } from './notifications/event-notifications';
import { NOTIFICATION_MIGRATIONS } from './notifications/migrations';
import { NotificationQueue } from './notifications/notification-queue';
import { NotificationsController } from './notifications/notifications.controller';

/** The queue of the business events that notify someone. */
export const NOTIFICATION_QUEUE = 'notification.events';

@Module({
  imports: [
    ObservabilityModule.forRoot({ serviceName: 'notification' }),
    DatabaseModule.forRoot({ schema: 'notification', migrations: NOTIFICATION_MIGRATIONS }),
    MessagingModule.forRoot({ connectionName: 'notification', transactional: true }),
  ],
  controllers: [NotificationsController, AlertsController],
  providers: [
    { provide: NOTIFICATION_CONFIG, useFactory: () => loadNotificationConfig() },
    { provide: NOTIFICATION_METRICS, useFactory: declareNotificationMetrics, inject: [ServiceMetrics] },
    { provide: Channels, useFactory: (config: NotificationConfig, metrics: ServiceMetrics) => new Channels(config, metrics), inject: [NOTIFICATION_CONFIG, ServiceMetrics] },
    {
      provide: Dispatcher,
      useFactory: (database: Database, outbox: Outbox, channels: Channels, config: NotificationConfig, metrics: NotificationMetrics, logger: ServiceLogger) =>
        new Dispatcher(database, outbox, channels, config, metrics, logger),
      inject: [Database, Outbox, Channels, NOTIFICATION_CONFIG, NOTIFICATION_METRICS, SERVICE_LOGGER],
    },
    {
      provide: NotificationQueue,
      useFactory: (database: Database, metrics: NotificationMetrics, logger: ServiceLogger, dispatcher: Dispatcher) =>
        new NotificationQueue(database, metrics, logger, dispatcher.wake),
      inject: [Database, NOTIFICATION_METRICS, SERVICE_LOGGER, Dispatcher],
    },
    { provide: EventNotifications, useFactory: (queue: NotificationQueue) => new EventNotifications(queue), inject: [NotificationQueue] },
  ],
})
export class AppModule implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    @Inject(Dispatcher) private readonly dispatcher: Dispatcher,
    @Inject(EventNotifications) private readonly events: EventNotifications,
    @Inject(ExactlyOnceConsumer) private readonly consumer: ExactlyOnceConsumer,
    @Inject(Channels) private readonly channels: Channels,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.dispatcher.start();
    await this.consumer.consume<unknown>(NOTIFICATION_QUEUE, NOTIFICATION_EVENT_KEYS, (payload, tx, message) => this.events.handle(payload, tx, message), { prefetch: 8 });
    this.logger.info({ channels: this.channels.configured() }, 'notification dispatcher and consumer started');
  }

  /** Before the database and broker close: the delivery round under way records its outcomes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.dispatcher.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channels.close();
  }
}
