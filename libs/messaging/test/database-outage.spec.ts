import { Database, loadDatabaseConfig, runMigrations, type Transaction } from '@ai-finance/database';
import { createServiceLogger, ServiceMetrics } from '@ai-finance/observability';
import {
  captureEvents,
  createRabbitNamespace,
  createTestDatabase,
  sampleValue,
  TcpProxy,
  TEST_POSTGRES_URL,
  TEST_RABBITMQ_URL,
  waitFor,
  type EventCapture,
  type TestDatabase,
  type TestRabbitNamespace,
} from '@ai-finance/testing';
import * as amqp from 'amqplib';
import { Client } from 'pg';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExactlyOnceConsumer, MESSAGING_MIGRATION, Outbox, RabbitBroker } from '../src';

const logger = createServiceLogger({ serviceName: 'db-outage-test', level: 'error', destination: new Writable({ write: (_c, _e, done) => done() }) });
const SCHEMA = 'db_outage_test';

/** The consumer's and the relay's own PostgreSQL sits behind a proxy the tests cut; RabbitMQ stays up. */
describe('Outbox and ExactlyOnceConsumer while their PostgreSQL is cut', () => {
  let testDatabase: TestDatabase;
  let namespace: TestRabbitNamespace;
  let metrics: ServiceMetrics;
  let proxy: TcpProxy;
  let database: Database;
  let broker: RabbitBroker;
  let outbox: Outbox;
  let capture: EventCapture;
  let publisher: amqp.ChannelModel;
  let channel: amqp.Channel;
  const failures: unknown[] = [];
  const onFailure = (error: unknown): number => failures.push(error);

  const newBroker = (name: string, transientRetryDelayMs: number) =>
    new RabbitBroker(
      { url: TEST_RABBITMQ_URL, exchange: namespace.exchange, queuePrefix: namespace.queuePrefix, connectionName: name, transientRetryDelayMs, maxTransientRetryDelayMs: 1_000 },
      logger,
      metrics,
    );
  const consumedCount = async (queue: string, status: string) =>
    sampleValue(await metrics.registry.metrics(), 'messages_consumed_total', { queue: `${namespace.queuePrefix}${queue}`, status });
  const publish = (routingKey: string, messageId: string, payload: object) =>
    channel.publish(namespace.exchange, routingKey, Buffer.from(JSON.stringify(payload)), { messageId, persistent: true, contentType: 'application/json' });

  beforeAll(async () => {
    testDatabase = await createTestDatabase('dboutage');
    namespace = createRabbitNamespace('dboutage');
    metrics = new ServiceMetrics('db-outage-test');
    proxy = await TcpProxy.inFrontOf(TEST_POSTGRES_URL, 5432);
    database = new Database(loadDatabaseConfig(SCHEMA, { DATABASE_URL: proxy.route(testDatabase.url), DATABASE_CONNECT_TIMEOUT_MS: '1000' }), metrics, logger);
    await runMigrations(database, [MESSAGING_MIGRATION, { id: '001_tables', sql: 'CREATE TABLE orders (id text PRIMARY KEY); CREATE TABLE audited (order_id text NOT NULL)' }], logger);
    broker = newBroker('db-outage-test', 200);
    await broker.start();
    capture = await captureEvents(namespace.exchange, ['order.*']);
    outbox = new Outbox(database, broker, metrics, logger, { pollIntervalMs: 100 });
    outbox.start();
    publisher = await amqp.connect(TEST_RABBITMQ_URL);
    channel = await publisher.createChannel();
    process.on('unhandledRejection', onFailure);
    process.on('uncaughtException', onFailure);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onFailure);
    process.off('uncaughtException', onFailure);
    await proxy?.start();
    await outbox?.stop();
    await broker?.close();
    await capture?.close();
    await publisher?.close();
    await database?.close();
    await proxy?.stop();
    await namespace?.cleanup(['orders.audited', 'orders.closing']);
    await testDatabase?.drop();
  });

  it('keeps the outbox relay alive through a cut in the middle of its transaction, and it publishes once PostgreSQL returns', async () => {
    // The table lock parks the relay inside its transaction, so the cut lands mid-transaction every time.
    const locker = new Client({ connectionString: testDatabase.url });
    await locker.connect();
    try {
      await locker.query(`BEGIN; LOCK TABLE ${SCHEMA}.outbox IN ACCESS EXCLUSIVE MODE`);
      await waitFor('the relay to wait for the lock inside its transaction', async () => {
        const { rows } = await locker.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [SCHEMA]);
        return rows.length > 0 ? true : undefined;
      });
      await proxy.stop();
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }
    await sleep(1_500);
    expect(failures).toEqual([]);

    await proxy.start();
    await database.transaction('write_order', async (tx: Transaction) => {
      await tx.query('INSERT INTO orders (id) VALUES ($1)', ['order-after-cut']);
      await outbox.enqueue(tx, 'order.placed', { orderId: 'order-after-cut' });
    });
    await waitFor('the order written after the cut on the exchange', () => (capture.received.some((event) => event.payload.orderId === 'order-after-cut') ? true : undefined));
    expect(failures).toEqual([]);
  });

  it('holds events while its database is down, then applies every one exactly once, dead-lettering none', async () => {
    const consumer = new ExactlyOnceConsumer(database, broker, logger);
    let attempts = 0;
    await consumer.consume<{ orderId: string }>('orders.audited', ['order.audited'], async (payload, tx) => {
      attempts += 1;
      await tx.query('INSERT INTO audited (order_id) VALUES ($1)', [payload.orderId]);
    });
    try {
      await proxy.stop();
      const ids = [0, 1, 2, 3, 4].map((index) => `audit-${index}`);
      for (const id of ids) publish('order.audited', `msg-${id}`, { orderId: id });
      await waitFor('the consumer to retry for its database', async () => ((await consumedCount('orders.audited', 'retried_transient')) >= 10 ? true : undefined));
      await sleep(3_000);
      const retriedDuringOutage = await consumedCount('orders.audited', 'retried_transient');
      // Back-off from 200 ms, capped at 1 s: some 35 attempts for 5 messages over the outage, not a busy loop.
      expect(retriedDuringOutage).toBeLessThan(60);
      expect(await consumedCount('orders.audited', 'retried')).toBe(0);

      await proxy.start();
      await waitFor('all 5 events applied', async () => ((await consumedCount('orders.audited', 'processed')) === 5 ? true : undefined), 15_000);
      const { rows } = await database.query<{ order_id: string }>('audited', 'SELECT order_id FROM audited ORDER BY order_id');
      expect(rows.map((row) => row.order_id)).toEqual(ids);
      expect(await channel.checkQueue(`${namespace.queuePrefix}orders.audited.dead-letter`)).toMatchObject({ messageCount: 0 });
      expect(await channel.checkQueue(`${namespace.queuePrefix}orders.audited`)).toMatchObject({ messageCount: 0 });
      expect(await consumedCount('orders.audited', 'dead_lettered')).toBe(0);
      expect(attempts).toBe(5); // the handler itself only ran once the database answered
      expect(failures).toEqual([]);
    } finally {
      consumer.stop();
    }
  }, 40_000);

  it('abandons a message waiting for its database when close() is called, at once and without retrying after it; RabbitMQ delivers it again', async () => {
    const closing = newBroker('db-outage-closing', 500);
    await closing.start();
    const consumer = new ExactlyOnceConsumer(database, closing, logger);
    let attempts = 0;
    await consumer.consume('orders.closing', ['order.closing'], async () => {
      attempts += 1;
    });
    await proxy.stop();
    publish('order.closing', 'msg-closing', { orderId: 'closing' });
    await waitFor('the message to wait for its database', async () => ((await consumedCount('orders.closing', 'retried_transient')) >= 1 ? true : undefined), 15_000, 20);

    const started = Date.now();
    await closing.close();
    consumer.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    const retriedBeforeClose = await consumedCount('orders.closing', 'retried_transient');
    await proxy.start();
    // Past the 500 ms back-off: a retry that was not abandoned would now reach the database and run the handler.
    await sleep(1_500);
    expect(attempts).toBe(0);
    expect(await consumedCount('orders.closing', 'retried_transient')).toBe(retriedBeforeClose);
    expect(failures).toEqual([]);
    const again = await waitFor('the message to be back in its queue', async () => (await channel.get(`${namespace.queuePrefix}orders.closing`, { noAck: true })) || undefined);
    expect({ payload: JSON.parse(again.content.toString()), redelivered: again.fields.redelivered }).toEqual({ payload: { orderId: 'closing' }, redelivered: true });
  });
});
