import * as amqp from 'amqplib';
import { uniqueName } from './ports';

export const TEST_RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://127.0.0.1:5672';

export interface TestRabbitNamespace {
  /** Exchange name for EVENTS_EXCHANGE. */
  exchange: string;
  /** Queue prefix for RABBITMQ_QUEUE_PREFIX; every queue the services declare starts with it. */
  queuePrefix: string;
  /** Deletes the exchange and the named queues (with their dead-letter queues). */
  cleanup(queues: string[]): Promise<void>;
}

/** An exchange and queue prefix of its own for one test file, so runs never see each other's messages. */
export function createRabbitNamespace(label: string): TestRabbitNamespace {
  const id = uniqueName(label);
  const exchange = `${id}.events`;
  const queuePrefix = `${id}.`;
  return {
    exchange,
    queuePrefix,
    cleanup: (queues) => deleteRabbitNamespace(exchange, queues.map((queue) => `${queuePrefix}${queue}`)),
  };
}

/** Deletes the queues (each with its dead-letter queue; missing ones are fine) and then the exchange. */
export async function deleteRabbitNamespace(exchange: string, queues: string[]): Promise<void> {
  const connection = await amqp.connect(TEST_RABBITMQ_URL);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) {
      await channel.deleteQueue(queue);
      await channel.deleteQueue(`${queue}.dead-letter`);
    }
    await channel.deleteExchange(exchange);
  } finally {
    await connection.close();
  }
}

/**
 * Binds a queue of the test's own to `exchange` and collects every message that arrives, for
 * assertions on what a service published.
 */
export async function captureEvents(exchange: string, bindingKeys: string[]): Promise<EventCapture> {
  const connection = await amqp.connect(TEST_RABBITMQ_URL);
  const channel = await connection.createChannel();
  await channel.assertExchange(exchange, 'topic', { durable: true });
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  for (const key of bindingKeys) await channel.bindQueue(queue, exchange, key);
  const capture = new EventCapture(connection);
  await channel.consume(queue, (message) => {
    if (!message) return;
    capture.received.push({
      routingKey: message.fields.routingKey,
      messageId: message.properties.messageId as string | undefined,
      headers: (message.properties.headers ?? {}) as Record<string, unknown>,
      payload: JSON.parse(message.content.toString()) as Record<string, unknown>,
    });
  }, { noAck: true });
  return capture;
}

export interface CapturedEvent {
  routingKey: string;
  messageId: string | undefined;
  headers: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export class EventCapture {
  readonly received: CapturedEvent[] = [];

  constructor(private readonly connection: amqp.ChannelModel) {}

  withKey(routingKey: string): CapturedEvent[] {
    return this.received.filter((event) => event.routingKey === routingKey);
  }

  async close(): Promise<void> {
    await this.connection.close().catch(() => undefined);
  }
}
