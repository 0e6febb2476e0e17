import { Database, loadDatabaseConfig, runMigrations, type Transaction } from '@ai-finance/database';
import { createServiceLogger, ServiceMetrics } from '@ai-finance/observability';
import {
  captureEvents,
  createRabbitNamespace,
  createTestDatabase,
  freePort,
  sampleValue,
  TcpProxy,
  waitFor,
  type EventCapture,
  type TestDatabase,
  type TestRabbitNamespace,
} from '@ai-finance/testing';
import * as amqp from 'amqplib';
import { Writable } from 'node:stream';
import { ExactlyOnceConsumer, MESSAGING_MIGRATION, Outbox, RabbitBroker } from '../src';

const logger = createServiceLogger({ serviceName: 'outbox-test', level: 'error', destination: new Writable({ write: (_c, _e, done) => done() }) });
const RABBITMQ = { host: '127.0.0.1', port: 5672 };

describe('Outbox and ExactlyOnceConsumer against real PostgreSQL and RabbitMQ', () => {
  let testDatabase: TestDatabase;
  let namespace: TestRabbitNamespace;
  let metrics: ServiceMetrics;
  let database: Database;
  let proxy: TcpProxy;
  let broker: RabbitBroker;
  let outbox: Outbox;
  let capture: EventCapture;

  const writeOrder = (id: string, fail = false) =>
    database.transaction('write_order', async (tx: Transaction) => {
      await tx.query('INSERT INTO orders (id) VALUES ($1)', [id]);
      await outbox.enqueue(tx, 'order.placed', { orderId: id });
      if (fail) throw new Error('risk refused the order');
    });

  beforeAll(async () => {
    testDatabase = await createTestDatabase('outbox');
    namespace = createRabbitNamespace('outbox');
    metrics = new ServiceMetrics('outbox-test');
    database = new Database(loadDatabaseConfig('outbox_test', { DATABASE_URL: testDatabase.url }), metrics, logger);
    await runMigrations(database, [MESSAGING_MIGRATION, { id: '001_orders', sql: 'CREATE TABLE orders (id text PRIMARY KEY)' }], logger);
    proxy = new TcpProxy(RABBITMQ, await freePort());
    await proxy.start();
    broker = new RabbitBroker(
      { url: `amqp://127.0.0.1:${proxy.port}`, exchange: namespace.exchange, queuePrefix: namespace.queuePrefix, connectionName: 'outbox-test', reconnectDelayMs: 100, maxReconnectDelayMs: 200 },
      logger,
      metrics,
    );
    await broker.start();
    capture = await captureEvents(namespace.exchange, ['order.*']);
    outbox = new Outbox(database, broker, metrics, logger, { pollIntervalMs: 100 });
    outbox.start();
  });

  afterAll(async () => {
    await outbox?.stop();
    await broker?.close();
    await capture?.close();
    await proxy?.stop();
    await database?.close();
    await namespace?.cleanup(['orders.applied']);
    await testDatabase?.drop();
  });

  it('publishes an event written with its row once the transaction commits, with the row id as message id, and empties the outbox', async () => {
    await writeOrder('order-1');
    const [event] = await waitFor('order-1 on the exchange', () => (capture.withKey('order.placed').length > 0 ? capture.withKey('order.placed') : undefined));
    expect(event.payload).toEqual({ orderId: 'order-1' });
    expect(event.messageId).toMatch(/^[0-9a-f-]{36}$/);
    await waitFor('the outbox to empty', async () => ((await database.query('count', 'SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0 ? true : undefined));
    expect(sampleValue(await metrics.registry.metrics(), 'messages_published_total', { routing_key: 'order.placed' })).toBe(1);
  });

  it('publishes nothing when the transaction that wrote the event rolls back', async () => {
    await expect(writeOrder('order-rolled-back', true)).rejects.toThrow('risk refused the order');
    await writeOrder('order-after-rollback');
    await waitFor('the next order on the exchange', () => (capture.received.some((event) => event.payload.orderId === 'order-after-rollback') ? true : undefined));
    expect(capture.received.map((event) => event.payload.orderId)).not.toContain('order-rolled-back');
  });

  it('keeps events in PostgreSQL while RabbitMQ is unreachable, reports the backlog, and delivers each exactly once when it returns', async () => {
    await proxy.stop();
    await waitFor('the broker to notice the outage', () => (broker.isConnected() ? undefined : true));
    for (let index = 0; index < 5; index += 1) await writeOrder(`order-during-outage-${index}`);
    await waitFor('the backlog gauge to show 5', async () => (sampleValue(await metrics.registry.metrics(), 'outbox_pending_messages') === 5 ? true : undefined));

    await proxy.start();
    await waitFor('all 5 events after RabbitMQ returned', () =>
      capture.received.filter((event) => String(event.payload.orderId).startsWith('order-during-outage-')).length >= 5 ? true : undefined,
    15_000);
    await waitFor('the backlog gauge to return to 0', async () => (sampleValue(await metrics.registry.metrics(), 'outbox_pending_messages') === 0 ? true : undefined));
    const delivered = capture.received.filter((event) => String(event.payload.orderId).startsWith('order-during-outage-')).map((event) => event.payload.orderId);
    expect(delivered.sort()).toEqual([0, 1, 2, 3, 4].map((index) => `order-during-outage-${index}`));
  }, 30_000);

  describe('ExactlyOnceConsumer', () => {
    let consumer: ExactlyOnceConsumer;
    let publisher: amqp.ChannelModel;
    let channel: amqp.Channel;
    let attempts = 0;

    beforeAll(async () => {
      await database.query('create_applied', 'CREATE TABLE applied (order_id text NOT NULL, message_id text NOT NULL)');
      consumer = new ExactlyOnceConsumer(database, broker, logger);
      await consumer.consume<{ orderId: string }>('orders.applied', ['order.applied'], async (payload, tx, message) => {
        attempts += 1;
        await tx.query('INSERT INTO applied (order_id, message_id) VALUES ($1, $2)', [payload.orderId, message.properties.messageId]);
        if (payload.orderId === 'poison') throw new Error('cannot apply poison');
      });
      publisher = await amqp.connect('amqp://127.0.0.1:5672');
      channel = await publisher.createChannel();
    });

    afterAll(async () => {
      consumer?.stop();
      await publisher?.close();
    });

    const publish = (messageId: string | undefined, payload: object) =>
      channel.publish(namespace.exchange, 'order.applied', Buffer.from(JSON.stringify(payload)), { messageId, persistent: true, contentType: 'application/json' });

    it('applies a message delivered twice with the same id once, and counts the repeat as a duplicate', async () => {
      publish('msg-1', { orderId: 'A' });
      publish('msg-1', { orderId: 'A' });
      publish('msg-2', { orderId: 'B' });
      await waitFor('three deliveries to be handled', async () =>
        sampleValue(await metrics.registry.metrics(), 'messages_consumed_total', { queue: `${namespace.queuePrefix}orders.applied` }) >= 3 ? true : undefined,
      );
      const { rows } = await database.query('applied', 'SELECT order_id FROM applied ORDER BY order_id');
      expect(rows).toEqual([{ order_id: 'A' }, { order_id: 'B' }]);
      const text = await metrics.registry.metrics();
      expect(sampleValue(text, 'messages_consumed_total', { status: 'duplicate' })).toBe(1);
      expect(sampleValue(text, 'messages_consumed_total', { status: 'processed' })).toBe(2);
    });

    it('rolls back the writes of a handler that throws, retries once, then dead-letters the message', async () => {
      const before = attempts;
      publish('msg-poison', { orderId: 'poison' });
      await waitFor('the poison message in the dead-letter queue', async () => {
        const { messageCount } = await channel.checkQueue(`${namespace.queuePrefix}orders.applied.dead-letter`);
        return messageCount === 1 ? true : undefined;
      });
      expect(attempts - before).toBe(2);
      expect((await database.query('poison', "SELECT count(*)::int AS n FROM applied WHERE order_id = 'poison'")).rows[0].n).toBe(0);
      expect((await database.query('poison_seen', "SELECT count(*)::int AS n FROM processed_messages WHERE message_id = 'msg-poison'")).rows[0].n).toBe(0);
    });

    it('dead-letters a message without a message id instead of applying it without protection', async () => {
      publish(undefined, { orderId: 'anonymous' });
      await waitFor('the anonymous message in the dead-letter queue', async () => {
        const { messageCount } = await channel.checkQueue(`${namespace.queuePrefix}orders.applied.dead-letter`);
        return messageCount === 2 ? true : undefined;
      });
      expect((await database.query('anonymous', "SELECT count(*)::int AS n FROM applied WHERE order_id = 'anonymous'")).rows[0].n).toBe(0);
    });
  });
});
