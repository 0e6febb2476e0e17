import { Database } from '@ai-finance/database';
import { HealthRegistry, SERVICE_LOGGER, ServiceMetrics, rabbitmqCheck, type ServiceLogger } from '@ai-finance/observability';
import {
  Injectable,
  Module,
  Optional,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { ExactlyOnceConsumer } from './exactly-once-consumer';
import { loadMessagingConfig, type MessagingConfig } from './messaging-config';
import { Outbox } from './outbox';
import { RabbitBroker } from './rabbitmq-broker';

export const MESSAGING_CONFIG = Symbol('MESSAGING_CONFIG');

export interface MessagingModuleOptions {
  /** Connection name shown in RabbitMQ; the service name. */
  connectionName: string;
  /** Provide Outbox and ExactlyOnceConsumer (needs DatabaseModule with MESSAGING_MIGRATION). */
  transactional?: boolean;
}

/**
 * Connects at start-up (or keeps trying in the background), starts the outbox relay once the
 * application is up, and stops relay, consumers and connection before the database pool closes.
 */
@Injectable()
class MessagingLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly broker: RabbitBroker,
    @Optional() private readonly outbox?: Outbox,
    @Optional() private readonly consumer?: ExactlyOnceConsumer,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.broker.start();
  }

  onApplicationBootstrap(): void {
    this.outbox?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.consumer?.stop();
    await this.outbox?.stop();
    await this.broker.close();
  }
}

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: MESSAGING_CONFIG, useFactory: () => loadMessagingConfig() },
      {
        provide: RabbitBroker,
        useFactory: (config: MessagingConfig, logger: ServiceLogger, metrics: ServiceMetrics, health: HealthRegistry) => {
          const broker = new RabbitBroker(
            { url: config.url, exchange: config.exchange, queuePrefix: config.queuePrefix, connectionName: options.connectionName },
            logger,
            metrics,
          );
          health.register('rabbitmq', rabbitmqCheck(broker));
          return broker;
        },
        inject: [MESSAGING_CONFIG, SERVICE_LOGGER, ServiceMetrics, HealthRegistry],
      },
    ];
    if (options.transactional) {
      providers.push(
        {
          provide: Outbox,
          useFactory: (database: Database, broker: RabbitBroker, metrics: ServiceMetrics, logger: ServiceLogger) => new Outbox(database, broker, metrics, logger),
          inject: [Database, RabbitBroker, ServiceMetrics, SERVICE_LOGGER],
        },
        {
          provide: ExactlyOnceConsumer,
          useFactory: (database: Database, broker: RabbitBroker, logger: ServiceLogger) => new ExactlyOnceConsumer(database, broker, logger),
          inject: [Database, RabbitBroker, SERVICE_LOGGER],
        },
      );
    }
    providers.push(MessagingLifecycle);
    return {
      module: MessagingModule,
      global: true,
      providers,
      exports: [MESSAGING_CONFIG, RabbitBroker, ...(options.transactional ? [Outbox, ExactlyOnceConsumer] : [])],
    };
  }
}
