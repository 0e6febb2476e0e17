import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { TEST_RABBITMQ_URL } from './test-rabbitmq';

export interface EventPublisher {
  /** The confirm channel underneath, for what publishing does not cover (checkQueue, assertExchange). */
  readonly channel: amqp.ConfirmChannel;
  /**
   * Publishes `payload` as JSON (a Buffer is sent as it is, for malformed bodies) with `messageId`
   * (a new UUID when not given), persistent unless `options` say otherwise, and waits for the broker's
   * confirmation. Resolves to the message id.
   */
  publish(routingKey: string, payload: unknown, messageId?: string, options?: amqp.Options.Publish): Promise<string>;
  close(): Promise<void>;
}

/**
 * Publishes events on `exchange` the way the services' outboxes do: JSON, with a message id, through a
 * confirm channel, so that once `publish` resolves the broker has the message. Tests of consumers use
 * it to feed them events; the message id is what their exactly-once handling keys on.
 */
export async function openEventPublisher(exchange: string, url: string = TEST_RABBITMQ_URL): Promise<EventPublisher> {
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel().catch(async (error: unknown) => {
    await connection.close().catch(() => undefined);
    throw error;
  });
  return {
    channel,
    async publish(routingKey, payload, messageId = randomUUID(), options = {}) {
      const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
      channel.publish(exchange, routingKey, body, { contentType: 'application/json', persistent: true, ...options, messageId });
      await channel.waitForConfirms();
      return messageId;
    },
    async close() {
      await connection.close().catch(() => undefined);
    },
  };
}
