import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createServiceLogger, RequestContext, ServiceMetrics } from '@ai-finance/observability';
import { sampleValue, waitFor } from '@ai-finance/testing';
import * as amqp from 'amqplib';
import { execFileSync } from 'node:child_process';
import { RabbitBroker } from '../src/rabbitmq-broker';

// Runs against the real RabbitMQ on 127.0.0.1:5672; every exchange and queue is unique to this run.
const RABBITMQ_URL = 'amqp://127.0.0.1:5672';
const RUN_ID = `${process.pid}-${randomBytes(4).toString('hex')}`;
const EXCHANGE = `test-messaging-${RUN_ID}`;
const queueName = (purpose: string): string => `test-messaging-${purpose}-${RUN_ID}`;

/** Log lines the brokers write, kept out of the test output and available to assertions. */
const logLines: Array<Record<string, unknown>> = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  },
});
const logger = createServiceLogger({ serviceName: 'messaging-test', level: 'error', destination: logSink });
const metrics = new ServiceMetrics('messaging-test');

/** Fails with `what` instead of hanging until Jest's timeout when `promise` does not settle in time. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('RabbitBroker against a real RabbitMQ', () => {
  const queuesToDelete: string[] = [];
  let admin: amqp.ChannelModel;
  let adminChannel: amqp.Channel;
  let broker: RabbitBroker;

  /** Consumes `queue` bound to `bindingKey`, remembering it (and its dead-letter queue) for clean-up. */
  async function consume<T>(purpose: string, bindingKey: string, handler: (payload: T, message: amqp.ConsumeMessage) => Promise<void>): Promise<string> {
    const queue = queueName(purpose);
    queuesToDelete.push(queue, `${queue}.dead-letter`);
    await broker.consume<T>(queue, [bindingKey], handler);
    return queue;
  }

  beforeAll(async () => {
    admin = await amqp.connect(RABBITMQ_URL);
    adminChannel = await admin.createChannel();
    broker = new RabbitBroker({ url: RABBITMQ_URL, exchange: EXCHANGE, connectionName: `messaging-test-${RUN_ID}` }, logger, metrics);
    await broker.start();
    if (!broker.isConnected()) throw new Error(`RabbitBroker could not connect to ${RABBITMQ_URL}; is RabbitMQ running?`);
  });

  afterAll(async () => {
    await broker?.close();
    if (adminChannel) {
      for (const queue of queuesToDelete) await adminChannel.deleteQueue(queue);
      await adminChannel.deleteExchange(EXCHANGE);
    }
    await admin?.close();
  });

  it('delivers a published JSON event to a consumer with the same payload', async () => {
    const received: unknown[] = [];
    await consume<unknown>('payload', 'payload.#', async (payload) => {
      received.push(payload);
    });
    const event = { orderId: 'ord-1', amount: '189.63', lines: [{ sku: 'A', qty: 2 }], paid: true, note: null };

    const confirmed = await within(5_000, 'the publish confirmation', broker.publish('payload.created', event, { messageId: 'payload-1' }));

    expect(confirmed).toBe(true);
    await waitFor('the consumer to receive the published event', () => (received.length > 0 ? true : undefined), 10_000, 20);
    expect(received).toEqual([event]);
  });

  it("carries the publisher's request id as x-request-id and restores it as the handler's RequestContext", async () => {
    const seen: Array<{ header: unknown; contextRequestId: string | undefined; contentType: unknown }> = [];
    await consume<{ n: number }>('request-id', 'request-id.#', async (_payload, message) => {
      seen.push({
        header: message.properties.headers?.['x-request-id'],
        contextRequestId: RequestContext.current()?.requestId,
        contentType: message.properties.contentType,
      });
    });

    const confirmed = await within(
      5_000,
      'the publish confirmation',
      RequestContext.run({ requestId: 'req-123' }, () => broker.publish('request-id.checked', { n: 1 })),
    );

    expect(confirmed).toBe(true);
    await waitFor('the consumer to receive the event published under req-123', () => (seen.length > 0 ? true : undefined), 10_000, 20);
    expect(seen).toEqual([{ header: 'req-123', contextRequestId: 'req-123', contentType: 'application/json' }]);
  });

  it('retries a message whose handler keeps throwing exactly once, then moves it to <queue>.dead-letter', async () => {
    let attempts = 0;
    const queue = await consume<{ poison: boolean }>('poison', 'poison.#', async () => {
      attempts += 1;
      throw new Error('handler always fails');
    });

    expect(await within(5_000, 'the publish confirmation', broker.publish('poison.event', { poison: true }, { messageId: 'poison-1' }))).toBe(true);

    const deadLetterQueue = `${queue}.dead-letter`;
    const deadLettered = await waitFor(
      `the failing message to appear in ${deadLetterQueue}`,
      async () => (await adminChannel.get(deadLetterQueue, { noAck: true })) || undefined,
      10_000,
      50,
    );
    expect(JSON.parse(deadLettered.content.toString())).toEqual({ poison: true });
    expect(deadLettered.properties.messageId).toBe('poison-1');
    const death = (deadLettered.properties.headers?.['x-death'] as Array<{ queue: string; reason: string }> | undefined)?.[0];
    expect(death).toMatchObject({ queue, reason: 'rejected' });
    expect(attempts).toBe(2); // the first delivery and one redelivery, no more
    const failures = logLines.filter((line) => String(line.message).startsWith('message handling failed') && line.routing_key === 'poison.event');
    expect(failures.map((line) => line.redelivered)).toEqual([false, true]);
    expect(await adminChannel.checkQueue(queue)).toMatchObject({ messageCount: 0 });
  });

  it('drops a superseded message (a price tick) that keeps failing instead of parking it, and declares no dead-letter queue', async () => {
    const queue = queueName('ticks');
    queuesToDelete.push(queue);
    let attempts = 0;
    await broker.consume(queue, ['tick.#'], async () => {
      attempts += 1;
      throw new Error('tick handler always fails');
    }, { superseded: true });

    expect(await within(5_000, 'the publish confirmation', broker.publish('tick.AAPL', { price: '1.00' }, { messageId: 'tick-1' }))).toBe(true);
    await waitFor('the tick to be dropped after one retry', () => (attempts === 2 ? true : undefined), 10_000, 20);
    await waitFor('the queue to be empty', async () => ((await adminChannel.checkQueue(queue)).messageCount === 0 ? true : undefined), 10_000, 50);
    const probe = await admin.createChannel();
    probe.on('error', () => undefined);
    await expect(probe.checkQueue(`${queue}.dead-letter`)).rejects.toThrow(/NOT_FOUND/);
    expect(sampleValue(await metrics.registry.metrics(), 'messages_consumed_total', { queue, status: 'dropped' })).toBe(1);
  });

  it('survives a handler that fails after close(): nothing crashes, and RabbitMQ delivers the unsettled message again', async () => {
    const queue = queueName('closing');
    queuesToDelete.push(queue, `${queue}.dead-letter`);
    const closing = new RabbitBroker({ url: RABBITMQ_URL, exchange: EXCHANGE, connectionName: `messaging-test-closing-${RUN_ID}` }, logger, metrics);
    await closing.start();
    let release: (() => void) | undefined;
    let failed = false;
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    await closing.consume(queue, ['closing.#'], async () => {
      markStarted();
      await new Promise<void>((unblock) => (release = unblock));
      failed = true;
      throw new Error('the database went away with the shutdown');
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      expect(await within(5_000, 'the publish confirmation', broker.publish('closing.event', { n: 1 }, { messageId: 'closing-1' }))).toBe(true);
      await within(10_000, 'the handler to start', started);
      await closing.close();
      release?.();
      await waitFor('the handler to fail', () => (failed ? true : undefined), 5_000, 10);
      // The nack on the closed channel happens right after; give any rejection time to surface.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    const again = await waitFor('the message to be back in its queue', async () => (await adminChannel.get(queue, { noAck: true })) || undefined, 10_000, 50);
    expect({ payload: JSON.parse(again.content.toString()), redelivered: again.fields.redelivered }).toEqual({ payload: { n: 1 }, redelivered: true });
  });

  it('reconnects and consumes again when RabbitMQ closes its channel but not its connection', async () => {
    const queue = queueName('channel-closed');
    queuesToDelete.push(queue, `${queue}.dead-letter`);
    const reopening = new RabbitBroker(
      { url: RABBITMQ_URL, exchange: EXCHANGE, connectionName: `messaging-test-reopening-${RUN_ID}`, reconnectDelayMs: 50 },
      logger,
      metrics,
    );
    try {
      await reopening.start();
      const received: unknown[] = [];
      await reopening.consume(queue, ['channel-closed.#'], async (payload) => {
        received.push(payload);
      });
      // Acknowledging a delivery RabbitMQ never made is a channel error: the server closes that channel
      // alone, as it does with a delivery held past consumer_timeout.
      const channel = (reopening as unknown as { channel: amqp.ConfirmChannel }).channel;
      channel.ack({ fields: { deliveryTag: 999_999 } } as amqp.Message);
      await waitFor('the broker to notice its channel is gone', () => (reopening.isConnected() ? undefined : true), 5_000, 10);
      await waitFor('the broker to reconnect', () => (reopening.isConnected() ? true : undefined), 5_000, 20);

      expect(await within(5_000, 'the publish confirmation', broker.publish('channel-closed.event', { n: 1 }))).toBe(true);
      await waitFor('the resubscribed consumer to receive the event', () => (received.length > 0 ? true : undefined), 10_000, 20);
      expect(received).toEqual([{ n: 1 }]);
    } finally {
      await reopening.close();
    }
  });

  it('returns false from publish, without throwing or waiting, while it is not connected', async () => {
    const offline = new RabbitBroker(
      { url: 'amqp://127.0.0.1:1', exchange: EXCHANGE, connectionName: `messaging-test-offline-${RUN_ID}`, reconnectDelayMs: 60_000 },
      logger,
      metrics,
    );
    try {
      await within(5_000, 'start() against an unreachable broker', offline.start());
      expect(offline.isConnected()).toBe(false);

      await expect(within(1_000, 'publish() while disconnected', offline.publish('offline.event', { lost: true }))).resolves.toBe(false);
    } finally {
      await within(5_000, 'close() of the disconnected broker', offline.close());
    }
  });
});

describe('RabbitBroker when RabbitMQ refuses its set-up', () => {
  const exchange = `test-messaging-conflict-${RUN_ID}`;
  const connectionName = `messaging-conflict-${RUN_ID}`;
  let admin: amqp.ChannelModel;

  /** Connections RabbitMQ itself holds open under `name` (rabbitmqctl ships with the server). */
  function openConnectionsNamed(name: string): number {
    const listing = execFileSync('rabbitmqctl', ['list_connections', 'client_properties', '--formatter', 'json', '-q']).toString();
    return (listing.match(new RegExp(`"connection_name":"${name}"`, 'g')) ?? []).length;
  }

  beforeAll(async () => {
    admin = await amqp.connect(RABBITMQ_URL);
    // The exchange exists with another type, so the broker's assertExchange fails with 406 on every attempt.
    await (await admin.createChannel()).assertExchange(exchange, 'direct', { durable: false, autoDelete: false });
  });

  afterAll(async () => {
    const channel = await admin.createChannel();
    await channel.deleteExchange(exchange);
    await admin.close();
  });

  it('keeps retrying without crashing and without leaving a connection open per attempt', async () => {
    const broker = new RabbitBroker({ url: RABBITMQ_URL, exchange, connectionName, reconnectDelayMs: 50, maxReconnectDelayMs: 50 }, logger, metrics);
    await within(5_000, 'start()', broker.start());
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(broker.isConnected()).toBe(false);
    await broker.close();
    await waitFor('RabbitMQ to see every attempt closed', () => (openConnectionsNamed(connectionName) === 0 ? true : undefined), 10_000, 250);
  });
});

