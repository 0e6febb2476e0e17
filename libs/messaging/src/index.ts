// The whole public surface of @ai-finance/messaging.
export { RabbitBroker, type MessageHandler, type PublishOptions, type RabbitBrokerOptions } from './rabbitmq-broker';
