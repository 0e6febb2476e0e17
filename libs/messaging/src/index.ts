// The whole public surface of @ai-finance/messaging.
export {
  RabbitBroker,
  type ConsumeOptions,
  type ConsumeOutcome,
  type MessageHandler,
  type OutgoingMessage,
  type PublishOptions,
  type RabbitBrokerOptions,
} from './rabbitmq-broker';
export { MESSAGING_MIGRATION, Outbox, type OutboxOptions } from './outbox';
export { ExactlyOnceConsumer, type TransactionalHandler } from './exactly-once-consumer';
export { loadMessagingConfig, type MessagingConfig } from './messaging-config';
export { MESSAGING_CONFIG, MessagingModule, type MessagingModuleOptions } from './messaging.module';
