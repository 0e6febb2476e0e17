import type { TradeExecuted } from '@ai-finance/contracts';
import {
  createRabbitNamespace,
  createTestDatabase,
  openEventPublisher,
  promtoolCheckMetrics,
  sampleValue,
  scrapeMetrics,
  serviceEnv,
  startNestApp,
  TestEnv,
  waitFor,
  type EventPublisher,
  type TestDatabase,
  type TestRabbitNamespace,
} from '@ai-finance/testing';
import type { INestApplication, Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';

// risk in-process against the real PostgreSQL and RabbitMQ, with small limits so every rule is reachable:
// one order at most 1000.00, exposure at most 1500.00, every user starts with 1200.00 of buying power.
const LIMITS = { RISK_MAX_ORDER_NOTIONAL: '1000', RISK_MAX_EXPOSURE: '1500', RISK_INITIAL_BUYING_POWER: '1200' };

describe('risk (real PostgreSQL and RabbitMQ)', () => {
  const env = new TestEnv();
  let database: TestDatabase;
  let rabbit: TestRabbitNamespace;
  let app: INestApplication;
  let sql: Client;
  let publisher: EventPublisher;
  const http = () => request(app.getHttpServer());

  const metricsText = () => scrapeMetrics(app);

  /** Publishes a trade.executed on the test exchange the way trading's outbox does (JSON, message id). */
  async function publishTrade(trade: TradeExecuted, messageId: string = trade.tradeId): Promise<void> {
    await publisher.publish('trade.executed', trade, messageId);
  }

  function trade(userId: string, symbol: string, side: 'buy' | 'sell', quantity: string, price: string, notional: string, executedAt = new Date().toISOString()): TradeExecuted {
    return { tradeId: randomUUID(), orderId: randomUUID(), userId, symbol, side, quantity, price, notional, currency: 'USD', executedAt };
  }

  async function processedCount(): Promise<number> {
    const { rows } = await sql.query<{ count: string }>('SELECT count(*) FROM risk.processed_messages');
    return Number(rows[0].count);
  }

  /** Publishes trades and waits until the consumer recorded each of them. */
  async function applyTrades(...trades: TradeExecuted[]): Promise<void> {
    const before = await processedCount();
    for (const item of trades) await publishTrade(item);
    await waitFor(`${trades.length} trade.executed event(s) to be applied`, async () => ((await processedCount()) >= before + trades.length ? true : undefined), 10_000, 25);
  }

  function check(userId: string, symbol: string, side: 'buy' | 'sell', quantity: string, price: string) {
    return http().post('/checks').send({ userId, symbol, side, quantity, price });
  }

  async function checkRows(userId: string): Promise<Array<{ id: string; approved: boolean; reason: string | null; notional: string }>> {
    const { rows } = await sql.query('SELECT id, approved, reason, notional FROM risk.risk_checks WHERE user_id = $1 ORDER BY created_at', [userId]);
    return rows;
  }

  beforeAll(async () => {
    database = await createTestDatabase('risk');
    rabbit = createRabbitNamespace('risk');
    env.set({ ...serviceEnv(database, rabbit), ...LIMITS });
    const { AppModule } = (await import('../src/app.module')) as { AppModule: Type<unknown> };
    app = await startNestApp(AppModule);

    sql = new Client({ connectionString: database.url });
    await sql.connect();
    publisher = await openEventPublisher(rabbit.exchange);
  });

  afterAll(async () => {
    await app?.close();
    await publisher?.close();
    await sql?.end();
    await rabbit?.cleanup(['risk.trades']);
    await database?.drop();
    env.restore();
  });

  describe('POST /checks', () => {
    it('approves an order whose notional equals the per-order limit (10 × 100.00 = 1000.00) and records it', async () => {
      const userId = randomUUID();
      const response = await check(userId, 'AAPL', 'buy', '10', '100.00').expect(200);

      expect(response.body).toEqual({ approved: true, checkId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(await checkRows(userId)).toEqual([{ id: response.body.checkId, approved: true, reason: null, notional: '1000' }]);
    });

    it('rejects order_notional_limit one unit above the limit (10.00000001 × 100.00), and counts and records the rejection', async () => {
      const userId = randomUUID();
      const before = await metricsText();

      const response = await check(userId, 'AAPL', 'buy', '10.00000001', '100.00').expect(200);

      expect(response.body).toEqual({
        approved: false,
        checkId: expect.any(String),
        reason: 'order_notional_limit',
        message: 'Order notional 1000.000001 USD exceeds the per-order limit of 1000.00 USD',
      });
      const after = await metricsText();
      const labels = { outcome: 'rejected', reason: 'order_notional_limit' };
      expect(sampleValue(after, 'risk_checks_total', labels) - sampleValue(before, 'risk_checks_total', labels)).toBe(1);
      expect(sampleValue(after, 'risk_check_duration_seconds_count') - sampleValue(before, 'risk_check_duration_seconds_count')).toBe(1);
      expect(await checkRows(userId)).toEqual([{ id: response.body.checkId, approved: false, reason: 'order_notional_limit', notional: '1000.000001' }]);
    });

    it('rejects buying_power when a buy costs more than initial buying power minus what earlier buys spent', async () => {
      const userId = randomUUID();
      await applyTrades(trade(userId, 'MSFT', 'buy', '5', '100.00', '500.00')); // 1200.00 − 500.00 = 700.00 left

      const tooMuch = await check(userId, 'MSFT', 'buy', '7.01', '100.00').expect(200);
      const exact = await check(userId, 'MSFT', 'buy', '7', '100.00').expect(200);

      expect(tooMuch.body).toMatchObject({ approved: false, reason: 'buying_power', message: 'Order notional 701.00 USD exceeds the buying power of 700.00 USD' });
      expect(exact.body).toMatchObject({ approved: true });
    });

    it('rejects exposure_limit when exposure plus the buy passes the limit; a sell gives back its proceeds and reduces exposure', async () => {
      const userId = randomUUID();
      // Buy 10 @ 100 (buying power 200, exposure 1000), sell 2 @ 150 (buying power 500; 8 held at the last price 150 = 1200).
      await applyTrades(trade(userId, 'NVDA', 'buy', '10', '100.00', '1000.00'), trade(userId, 'NVDA', 'sell', '2', '150.00', '300.00'));

      const over = await check(userId, 'NVDA', 'buy', '3.01', '100.00').expect(200);
      const atLimit = await check(userId, 'NVDA', 'buy', '3', '100.00').expect(200);

      expect(over.body).toMatchObject({
        approved: false,
        reason: 'exposure_limit',
        message: 'Exposure would reach 1501.00 USD, above the limit of 1500.00 USD (current 1200.00 USD)',
      });
      expect(atLimit.body).toMatchObject({ approved: true });
    });

    it('rejects insufficient_position for selling more than is held or anything never bought (no short selling), approves selling it all', async () => {
      const userId = randomUUID();
      await applyTrades(trade(userId, 'TSLA', 'buy', '2.5', '200.00', '500.00'));

      const more = await check(userId, 'TSLA', 'sell', '2.50000001', '200.00').expect(200);
      const never = await check(userId, 'AMZN', 'sell', '1', '10.00').expect(200);
      const all = await check(userId, 'TSLA', 'sell', '2.5', '200.00').expect(200);

      expect(more.body).toMatchObject({
        approved: false,
        reason: 'insufficient_position',
        message: 'Cannot sell 2.50000001 TSLA: the position holds 2.5 and short selling is not allowed',
      });
      expect(never.body).toMatchObject({ approved: false, reason: 'insufficient_position' });
      expect(all.body).toMatchObject({ approved: true });
    });

    it('counts approvals as risk_checks_total{outcome="approved",reason="none"}', async () => {
      const before = await metricsText();
      await check(randomUUID(), 'AAPL', 'buy', '1', '1.00').expect(200);
      const after = await metricsText();
      const labels = { outcome: 'approved', reason: 'none' };
      expect(sampleValue(after, 'risk_checks_total', labels) - sampleValue(before, 'risk_checks_total', labels)).toBe(1);
    });

    const valid = { userId: randomUUID(), symbol: 'AAPL', side: 'buy', quantity: '1', price: '10.00' };
    it.each([
      ['a missing userId', { ...valid, userId: undefined }, 'userId must be a UUID'],
      ['a userId that is not a UUID', { ...valid, userId: 'user-1' }, 'userId must be a UUID'],
      ['a malformed symbol', { ...valid, symbol: 'bad sym!' }, 'symbol must be 1 to 12 letters'],
      ['a side other than buy or sell', { ...valid, side: 'short' }, 'side must be "buy" or "sell"'],
      ['a zero quantity', { ...valid, quantity: '0' }, 'quantity must be a decimal string greater than zero'],
      ['a negative quantity', { ...valid, quantity: '-1' }, 'quantity must be a decimal string greater than zero'],
      ['a quantity with nine decimals', { ...valid, quantity: '0.123456789' }, 'quantity must be a decimal string greater than zero'],
      ['a quantity sent as a JSON number', { ...valid, quantity: 1 }, 'quantity must be a decimal string greater than zero'],
      ['a zero price', { ...valid, price: '0.00' }, 'price must be a decimal string greater than zero'],
      ['a price with three decimals', { ...valid, price: '10.001' }, 'price must be a decimal string greater than zero'],
      ['a missing price', { ...valid, price: undefined }, 'price must be a decimal string greater than zero'],
      ['an unknown field', { ...valid, account: 'x' }, 'property account should not exist'],
    ])('answers 400 for %s, naming the problem, and records nothing', async (_case, body, expected) => {
      const response = await http().post('/checks').send(body);

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.message).toContain(expected);
      expect(await checkRows(valid.userId)).toEqual([]);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const response = await http().post('/checks').set('content-type', 'application/json').send('{"userId":');
      expect(response.status).toBe(400);
    });
  });

  describe('trade.executed consumption', () => {
    it('applies a trade.executed delivered twice with the same message id only once', async () => {
      const userId = randomUUID();
      const once = trade(userId, 'AAPL', 'buy', '3', '100.00', '300.00');
      const before = await processedCount();

      await publishTrade(once);
      await publishTrade(once);
      // A later, different trade: once it is applied, the duplicate before it has certainly been handled.
      const later = trade(userId, 'AAPL', 'buy', '1', '100.00', '100.00');
      await publishTrade(later);
      await waitFor('both distinct trades to be applied', async () => ((await processedCount()) >= before + 2 ? true : undefined), 10_000, 25);
      await waitFor('the queue to be drained', async () => {
        const { messageCount } = await publisher.channel.checkQueue(`${rabbit.queuePrefix}risk.trades`);
        return messageCount === 0 ? true : undefined;
      });

      const { rows } = await sql.query('SELECT quantity, cost_basis FROM risk.positions WHERE user_id = $1', [userId]);
      expect(rows).toEqual([{ quantity: '4.00000000', cost_basis: '400.00' }]);
      const limits = await http().get('/limits').set('x-user-id', userId).expect(200);
      expect(limits.body.buyingPower).toBe('800.00');
    });

    it('dead-letters a trade.executed with a malformed payload and changes no state', async () => {
      const userId = randomUUID();
      await publishTrade({ ...trade(userId, 'AAPL', 'buy', '1', '100.00', '100.00'), quantity: 'lots' });

      await waitFor('the malformed event in risk.trades.dead-letter', async () => {
        const { messageCount } = await publisher.channel.checkQueue(`${rabbit.queuePrefix}risk.trades.dead-letter`);
        return messageCount >= 1 ? true : undefined;
      });
      const { rows } = await sql.query('SELECT * FROM risk.positions WHERE user_id = $1', [userId]);
      expect(rows).toEqual([]);
    });

    it('reduces the cost basis by the sold fraction (average cost) and zeroes it when the position is closed', async () => {
      const userId = randomUUID();
      await applyTrades(trade(userId, 'JPM', 'buy', '4', '100.00', '400.00'), trade(userId, 'JPM', 'sell', '1', '120.00', '120.00'));
      const partial = await sql.query('SELECT quantity, cost_basis FROM risk.positions WHERE user_id = $1', [userId]);
      await applyTrades(trade(userId, 'JPM', 'sell', '3', '120.00', '360.00'));
      const closed = await sql.query('SELECT quantity, cost_basis FROM risk.positions WHERE user_id = $1', [userId]);

      expect(partial.rows).toEqual([{ quantity: '3.00000000', cost_basis: '300.00' }]);
      expect(closed.rows).toEqual([{ quantity: '0.00000000', cost_basis: '0.00' }]);
    });
  });

  describe('GET /limits', () => {
    it("answers the caller's limits, buying power, exposure and positions as decimal strings", async () => {
      const userId = randomUUID();
      await applyTrades(trade(userId, 'SPY', 'buy', '2', '300.00', '600.00'), trade(userId, 'ETH-USD', 'buy', '0.1', '3000.00', '300.00'));

      const response = await http().get('/limits').set('x-user-id', userId).expect(200);

      expect(response.body).toEqual({
        maxOrderNotional: '1000.00',
        maxExposure: '1500.00',
        initialBuyingPower: '1200.00',
        buyingPower: '300.00',
        exposure: '900.00',
        positions: [
          { symbol: 'ETH-USD', quantity: '0.1' },
          { symbol: 'SPY', quantity: '2' },
        ],
      });
    });

    it('answers the initial state for a user with no trades', async () => {
      const response = await http().get('/limits').set('x-user-id', randomUUID()).expect(200);
      expect(response.body).toMatchObject({ buyingPower: '1200.00', exposure: '0.00', positions: [] });
    });

    it.each([
      ['without x-user-id', undefined],
      ['with an x-user-id that is not a UUID', 'not-a-uuid'],
    ])('answers 401 %s, saying requests must come through api-gateway', async (_case, header) => {
      const call = http().get('/limits');
      if (header) call.set('x-user-id', header);
      const response = await call;

      expect(response.status).toBe(401);
      expect(response.body.message).toContain('requests must come through api-gateway');
    });
  });

  describe('/metrics', () => {
    it('passes promtool check metrics and exports the business metrics with their labels', async () => {
      await check(randomUUID(), 'AAPL', 'sell', '1', '1.00').expect(200);
      const text = await metricsText();

      expect(promtoolCheckMetrics(text)).toEqual({ exitCode: 0, output: '' });
      expect(text).toMatch(/^risk_checks_total\{(?=[^}]*outcome="rejected")(?=[^}]*reason="insufficient_position")[^}]*\} \d+/m);
      expect(text).toContain('# TYPE risk_check_duration_seconds histogram');
    });
  });
});
