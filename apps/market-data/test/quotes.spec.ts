import { randomBytes } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import * as amqp from 'amqplib';
import Redis from 'ioredis';
import request from 'supertest';
import { deleteRedisKeys, sampleValue, scrapeMetrics, startNestApp, TestEnv } from '@ai-finance/testing';
import type { Quote } from '../src/quotes/quote';

// Runs market-data in-process against the real Redis and RabbitMQ; keys and the exchange are unique to this run.
const RUN_ID = `${process.pid}-${randomBytes(4).toString('hex')}`;
const KEY_BASE = `test-md-${RUN_ID}`;
const KEY_PREFIX = `${KEY_BASE}:`;
const EXCHANGE = `test-md-events-${RUN_ID}`;
const REDIS_URL = 'redis://127.0.0.1:6379';
const RABBITMQ_URL = 'amqp://127.0.0.1:5672';
const FAULT_TOKEN = 'market-data-test-fault-token-0123456789';

const TEST_ENV: Record<string, string> = {
  REDIS_URL,
  RABBITMQ_URL,
  REDIS_KEY_PREFIX: KEY_PREFIX,
  EVENTS_EXCHANGE: EXCHANGE,
  MARKET_INSTRUMENTS: 'AAPL:189.50,MSFT:415.20',
  MARKET_TICK_INTERVAL_MS: '50',
  OTEL_SDK_DISABLED: 'true',
  LOG_LEVEL: 'error',
  FAULT_INJECTION_ENABLED: 'true',
  FAULT_INJECTION_TOKEN: FAULT_TOKEN,
};

/** A quote left in Redis by an earlier run, far from MSFT's configured 415.20, to see whether the feed picks it up. */
const PREVIOUS_MSFT: Quote = {
  symbol: 'MSFT',
  price: '999.99',
  bid: '999.79',
  ask: '1000.19',
  currency: 'USD',
  sequence: 5_000,
  timestamp: '2024-06-01T12:00:00.000Z',
};

/**
 * Polls `probe` until it returns a value, for at most `timeoutMs`; on time-out the error says what was
 * awaited and, through `lastSeen`, what was seen instead.
 */
async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, lastSeen: () => string = () => '', timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const seen = lastSeen();
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${seen ? `; last seen: ${seen}` : ''}`);
}

describe('market-data (real Redis and RabbitMQ)', () => {
  const env = new TestEnv();
  let AppModule: Type<unknown>;
  let redis: Redis;
  let rabbit: amqp.ChannelModel;
  let rabbitChannel: amqp.Channel;

  /** Creates and initialises the application the way main.ts does, on Fastify, with `overrides` in its environment. */
  async function startApp(overrides: Record<string, string> = {}): Promise<INestApplication> {
    env.set({ ...TEST_ENV, ...overrides });
    const app = await startNestApp(AppModule);
    env.set(TEST_ENV);
    return app;
  }

  async function storedQuote(prefix: string, symbol: string): Promise<Quote | undefined> {
    const raw = await redis.get(`${prefix}quote:${symbol}`);
    return raw === null ? undefined : (JSON.parse(raw) as Quote);
  }

  beforeAll(async () => {
    redis = new Redis(REDIS_URL, { lazyConnect: true });
    await redis.connect();
    rabbit = await amqp.connect(RABBITMQ_URL);
    rabbitChannel = await rabbit.createChannel();
    // AppModule reads the environment when it is loaded (ObservabilityModule.forRoot), so set it first.
    env.set(TEST_ENV);
    ({ AppModule } = await import('../src/app.module'));
  });

  afterAll(async () => {
    if (redis) {
      await deleteRedisKeys(redis, KEY_BASE);
      redis.disconnect();
    }
    if (rabbitChannel) await rabbitChannel.deleteExchange(EXCHANGE);
    await rabbit?.close();
    env.restore();
  });

  describe('quotes API, ticks, metrics and readiness', () => {
    const ticks: amqp.ConsumeMessage[] = [];
    let app: INestApplication | undefined;
    const http = () => request(app!.getHttpServer());

    beforeAll(async () => {
      // Listen before the feed starts: a temporary queue that sees every tick on this run's exchange.
      await rabbitChannel.assertExchange(EXCHANGE, 'topic', { durable: true });
      const { queue } = await rabbitChannel.assertQueue('', { exclusive: true, autoDelete: true });
      await rabbitChannel.bindQueue(queue, EXCHANGE, 'market.tick.#');
      await rabbitChannel.consume(queue, (message) => message && ticks.push(message), { noAck: true });
      app = await startApp();
    });

    afterAll(async () => {
      await app?.close();
    });

    /** Polls GET `path` until it answers `status`, so the test does not depend on when the first tick lands. */
    async function getWhenStatus(path: string, status: number): Promise<request.Response> {
      let last: request.Response | undefined;
      return eventually(
        `GET ${path} to answer ${status}`,
        async () => {
          last = await http().get(path);
          return last.status === status ? last : undefined;
        },
        () => `${last?.status} ${JSON.stringify(last?.body)}`,
      );
    }

    it('serves the latest AAPL quote once the feed has ticked, as decimal strings with bid < ask, identical to the JSON in Redis', async () => {
      await eventually("the feed's first AAPL quote in Redis", () => storedQuote(KEY_PREFIX, 'AAPL'));
      const response = await getWhenStatus('/quotes/AAPL', 200);
      expect(response.body).toMatchObject({ symbol: 'AAPL', currency: 'USD' });
      expect(response.body.price).toMatch(/^\d+\.\d{2}$/);
      expect(response.body.bid).toMatch(/^\d+\.\d{2}$/);
      expect(response.body.ask).toMatch(/^\d+\.\d{2}$/);
      expect(Number(response.body.bid)).toBeLessThan(Number(response.body.ask));

      // The feed keeps ticking every 50 ms, so compare a Redis read and an HTTP read that saw the same tick.
      let mismatch = '';
      const same = await eventually(
        `GET /quotes/AAPL to equal ${KEY_PREFIX}quote:AAPL in Redis`,
        async () => {
          const stored = await redis.get(`${KEY_PREFIX}quote:AAPL`);
          const served = (await http().get('/quotes/AAPL')).body as Quote;
          if (stored !== null && JSON.stringify(served) === stored) return served;
          mismatch = `Redis ${stored}, HTTP ${JSON.stringify(served)}`;
          return undefined;
        },
        () => mismatch,
      );
      expect(same.symbol).toBe('AAPL');
    });

    it('accepts a lower-case symbol: GET /quotes/aapl answers the AAPL quote', async () => {
      const response = await getWhenStatus('/quotes/aapl', 200);
      expect(response.body).toMatchObject({ symbol: 'AAPL', currency: 'USD' });
    });

    it('answers 404 in the shared error shape, with the request id, for a well-formed but unknown symbol', async () => {
      const response = await http().get('/quotes/ZZZZ').set('x-request-id', `test-unknown-${RUN_ID}`);

      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: expect.stringContaining('Unknown symbol "ZZZZ"'),
        request_id: `test-unknown-${RUN_ID}`,
      });
      expect(response.headers['x-request-id']).toBe(`test-unknown-${RUN_ID}`);
    });

    it('answers 400 saying what a symbol must look like for a malformed one (bad_sym!)', async () => {
      const response = await http().get('/quotes/bad_sym!');

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', request_id: expect.any(String) });
      expect(response.body.message).toContain('symbol must be 1 to 12 letters, digits, dots or dashes, starting with a letter');
    });

    it('publishes each symbol\'s ticks to the events exchange as market.tick.<SYMBOL>, persistent JSON with a per-symbol message id', async () => {
      const tick = await eventually(
        'a market.tick.AAPL message on the test exchange',
        () => ticks.find((message) => message.fields.routingKey === 'market.tick.AAPL'),
        () => `${ticks.length} messages, routing keys ${[...new Set(ticks.map((message) => message.fields.routingKey))].join(', ')}`,
      );

      const payload = JSON.parse(tick.content.toString()) as Quote;
      expect(tick.fields.exchange).toBe(EXCHANGE);
      expect(payload).toMatchObject({ symbol: 'AAPL', currency: 'USD', price: expect.stringMatching(/^\d+\.\d{2}$/) });
      expect(tick.properties).toMatchObject({
        contentType: 'application/json',
        deliveryMode: 2,
        messageId: `AAPL-${payload.sequence}`,
        headers: expect.any(Object),
      });
      const msft = await eventually('a market.tick.MSFT message on the test exchange', () =>
        ticks.find((message) => message.fields.routingKey === 'market.tick.MSFT'),
      );
      expect(JSON.parse(msft.content.toString())).toMatchObject({ symbol: 'MSFT' });
    });

    it('exports tick counters and a request-duration histogram labelled by route template, never by raw path', async () => {
      await getWhenStatus('/quotes/AAPL', 200);

      const response = await http().get('/metrics');

      expect(response.status).toBe(200);
      const body = response.text;
      expect(body).toContain('market_data_ticks_total{');
      expect(body).toContain('service="market-data"');
      expect(body).toMatch(/^market_data_ticks_total\{(?=[^}]*symbol="AAPL")(?=[^}]*outcome="published")[^}]*\} [1-9]/m);
      expect(body).toMatch(/^http_server_request_duration_seconds_bucket\{[^}]*route="\/quotes\/:symbol"[^}]*\} \d+/m);
      expect(body).not.toContain('route="/quotes/AAPL"');
    });

    it('market-data-stall stops the feed (nothing stored or published, the last-tick gauge frozen) while GET /quotes serves the last quote; clearing it resumes from the last price', async () => {
      const bearer = { authorization: `Bearer ${FAULT_TOKEN}` };
      const lastTickSeconds = async () => sampleValue(await scrapeMetrics(app!), 'market_data_last_tick_timestamp_seconds', { symbol: 'AAPL' });
      const publishedAapl = () => ticks.filter((message) => message.fields.routingKey === 'market.tick.AAPL').map((message) => JSON.parse(message.content.toString()) as Quote);
      await eventually("the feed's first AAPL quote in Redis", () => storedQuote(KEY_PREFIX, 'AAPL'));

      // The PUT answers once a tick under way has finished: nothing moves after it.
      const activated = await http().put('/admin/faults/market-data-stall').set(bearer).send({}).expect(200);
      expect(activated.body).toMatchObject({ name: 'market-data-stall', parameter: null, active: true });
      const stalled = (await storedQuote(KEY_PREFIX, 'AAPL'))!;
      const stalledTickSeconds = await lastTickSeconds();
      // Ten tick intervals: a feed that kept ticking would have moved everything below by now.
      await new Promise((resolve) => setTimeout(resolve, 10 * Number(TEST_ENV.MARKET_TICK_INTERVAL_MS)));

      expect(await storedQuote(KEY_PREFIX, 'AAPL')).toEqual(stalled);
      const served = await http().get('/quotes/AAPL').expect(200);
      expect(served.body).toEqual(stalled);
      expect(await lastTickSeconds()).toBe(stalledTickSeconds);
      expect(publishedAapl().filter((quote) => quote.sequence > stalled.sequence)).toEqual([]);
      expect(sampleValue(await scrapeMetrics(app!), 'fault_injection_active', { fault: 'market-data-stall' })).toBe(1);
      await getWhenStatus('/health/live', 200);

      const cleared = await http().delete('/admin/faults/market-data-stall').set(bearer).expect(200);
      expect(cleared.body).toMatchObject({ name: 'market-data-stall', active: false });
      const resumed = await eventually(`the AAPL tick after ${stalled.sequence} on the exchange`, () => publishedAapl().find((quote) => quote.sequence === stalled.sequence + 1));
      // One 50 ms random-walk step from the stalled price, not a restart from the configured 189.50.
      expect(Math.abs(Number(resumed.price) - Number(stalled.price))).toBeLessThan(1);
      await eventually('the last-tick gauge to advance', async () => ((await lastTickSeconds()) > stalledTickSeconds ? true : undefined));
    });

    it('reports ready, with Redis and RabbitMQ up, on GET /health/ready', async () => {
      const response = await getWhenStatus('/health/ready', 200);

      expect(response.body).toMatchObject({
        status: 'ready',
        down: [],
        dependencies: { redis: { status: 'up' }, rabbitmq: { status: 'up' } },
      });
    });
  });

  describe('restart with prices already in Redis', () => {
    const RESTART_PREFIX = `${KEY_BASE}-restart:`;
    let app: INestApplication | undefined;

    beforeAll(async () => {
      await redis.set(`${RESTART_PREFIX}quote:MSFT`, JSON.stringify(PREVIOUS_MSFT));
      // RabbitMQ down at start-up: the feed must still start, and still from the cached prices.
      app = await startApp({ REDIS_KEY_PREFIX: RESTART_PREFIX, RABBITMQ_URL: 'amqp://127.0.0.1:1' });
    });

    afterAll(async () => {
      await app?.close();
    });

    it('continues MSFT from the price and sequence in Redis, not from the configured 415.20, when RabbitMQ is unreachable at start-up', async () => {
      let last: Quote | undefined;
      const next = await eventually(
        'the restarted feed to overwrite the seeded MSFT quote',
        async () => {
          last = await storedQuote(RESTART_PREFIX, 'MSFT');
          return last && last.timestamp !== PREVIOUS_MSFT.timestamp ? last : undefined;
        },
        () => JSON.stringify(last),
      );

      // A restart that ignores Redis starts over at sequence 1 (reusing message ids MSFT-1, MSFT-2, ...)
      // and jumps the price back to the configured 415.20.
      expect(next.sequence).toBeGreaterThan(PREVIOUS_MSFT.sequence);
      expect(Number(next.price)).toBeCloseTo(999.99, -1); // within 5.00: a few 50 ms steps move it by cents
    });
  });
});
