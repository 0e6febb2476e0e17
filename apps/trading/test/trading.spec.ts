import type { MarketTick, OrderEvent, TradeExecuted } from '@ai-finance/contracts';
import {
  captureEvents,
  createRabbitNamespace,
  createTestDatabase,
  freePort,
  openEventPublisher,
  promtoolCheckMetrics,
  sampleValue,
  scrapeMetrics,
  serviceEnv,
  startNestApp,
  TcpProxy,
  TestEnv,
  waitFor,
  type EventCapture,
  type EventPublisher,
  type TestDatabase,
  type TestRabbitNamespace,
} from '@ai-finance/testing';
import type { INestApplication, Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Client } from 'pg';
import request from 'supertest';
import { ExecutionLatency } from '../src/execution/execution-latency';

/**
 * A stand-in for market-data (GET /quotes/:symbol) whose quotes the test sets: 404 for a symbol it does
 * not list, 503 for one listed without a price, and, on demand, connections cut or left unanswered.
 */
class FakeMarketData {
  readonly quotes = new Map<string, MarketTick>();
  readonly unpriced = new Set<string>();
  mode: 'up' | 'cut' | 'silent' = 'up';
  private readonly silent: ServerResponse[] = [];
  private server: Server | undefined;
  private sequence = 0;

  setQuote(symbol: string, bid: string, ask: string): MarketTick {
    const price = ((Number(bid) + Number(ask)) / 2).toFixed(2);
    const quote = { symbol, price, bid, ask, currency: 'USD', sequence: ++this.sequence, timestamp: new Date().toISOString() };
    this.quotes.set(symbol, quote);
    return quote;
  }

  async start(port: number): Promise<void> {
    this.server = createServer((req, res) => {
      if (this.mode === 'cut') return void req.socket.destroy();
      if (this.mode === 'silent') return void this.silent.push(res);
      const symbol = /^\/quotes\/([^/?]+)$/.exec(req.url ?? '')?.[1];
      const quote = symbol ? this.quotes.get(decodeURIComponent(symbol)) : undefined;
      const [status, body] = quote
        ? [200, quote]
        : symbol && this.unpriced.has(symbol)
          ? [503, { statusCode: 503, message: `No price for "${symbol}" yet` }]
          : [404, { statusCode: 404, message: `Unknown symbol "${symbol}"` }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    for (const res of this.silent) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const RISK_MAX_ORDER_NOTIONAL = '5000';
const FAULT_TOKEN = 'trading-test-fault-token-0123456789abcdef';

describe('trading (real PostgreSQL, RabbitMQ and risk service; fake market-data)', () => {
  const env = new TestEnv();
  const marketData = new FakeMarketData();
  let database: TestDatabase;
  let rabbit: TestRabbitNamespace;
  let riskApp: INestApplication;
  let app: INestApplication;
  let riskProxy: TcpProxy;
  let sql: Client;
  let events: EventCapture;
  let publisher: EventPublisher;
  const http = () => request(app.getHttpServer());

  function place(userId: string, body: Record<string, unknown>) {
    return http().post('/orders').set('x-user-id', userId).send(body);
  }

  const metricsText = () => scrapeMetrics(app);

  function delta(before: string, after: string, name: string, labels: Record<string, string> = {}): number {
    return Math.round((sampleValue(after, name, labels) - sampleValue(before, name, labels)) * 1e6) / 1e6;
  }

  async function rowsOf(userId: string): Promise<{ orders: Array<Record<string, unknown>>; trades: Array<Record<string, unknown>> }> {
    const orders = await sql.query('SELECT id, symbol, side, type, quantity, limit_price, status, filled_quantity, average_price, reason FROM trading.orders WHERE user_id = $1 ORDER BY created_at', [userId]);
    const trades = await sql.query('SELECT id, order_id, symbol, side, quantity, price, notional, currency FROM trading.trades WHERE user_id = $1 ORDER BY executed_at', [userId]);
    return { orders: orders.rows, trades: trades.rows };
  }

  function eventsFor<T>(routingKey: string, orderId: string): Array<{ messageId: string | undefined; payload: T }> {
    return events
      .withKey(routingKey)
      .filter((event) => event.payload.orderId === orderId)
      .map((event) => ({ messageId: event.messageId, payload: event.payload as T }));
  }

  async function waitForEvent<T>(routingKey: string, orderId: string): Promise<{ messageId: string | undefined; payload: T }> {
    return waitFor(`${routingKey} for order ${orderId}`, () => eventsFor<T>(routingKey, orderId)[0], 10_000, 25);
  }

  /** Waits until risk has applied the user's trades, seen through its own GET /limits. */
  async function riskHolds(userId: string, symbol: string, quantity: string): Promise<void> {
    await waitFor(`risk to show ${quantity} ${symbol} for ${userId}`, async () => {
      const limits = await request(riskApp.getHttpServer()).get('/limits').set('x-user-id', userId);
      const held = (limits.body.positions as Array<{ symbol: string; quantity: string }>).find((position) => position.symbol === symbol);
      return held?.quantity === quantity ? true : undefined;
    }, 10_000, 50);
  }

  /** Publishes a tick as market-data would, but transient. */
  async function publishTick(tick: MarketTick, messageId = `${tick.symbol}-${tick.sequence}`): Promise<void> {
    await publisher.publish(`market.tick.${tick.symbol}`, tick, messageId, { persistent: false });
  }

  beforeAll(async () => {
    database = await createTestDatabase('trading');
    rabbit = createRabbitNamespace('trading');
    const [marketDataPort, riskPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
    await marketData.start(marketDataPort);
    env.set({
      ...serviceEnv(database, rabbit),
      MARKET_DATA_URL: `http://127.0.0.1:${marketDataPort}`,
      RISK_URL: `http://127.0.0.1:${proxyPort}`,
      UPSTREAM_TIMEOUT_MS: '1000',
      RISK_MAX_ORDER_NOTIONAL,
      FAULT_INJECTION_ENABLED: 'true',
      FAULT_INJECTION_TOKEN: FAULT_TOKEN,
    });
    events = await captureEvents(rabbit.exchange, ['order.*', 'trade.*']);

    // The real risk service, as a second application on its own port behind a proxy the test can cut.
    const { AppModule: RiskModule } = (await import('../../risk/src/app.module')) as { AppModule: Type<unknown> };
    riskApp = await startNestApp(RiskModule);
    await riskApp.listen(riskPort, '127.0.0.1');
    riskProxy = new TcpProxy({ host: '127.0.0.1', port: riskPort }, proxyPort);
    await riskProxy.start();

    const { AppModule } = (await import('../src/app.module')) as { AppModule: Type<unknown> };
    app = await startNestApp(AppModule);

    sql = new Client({ connectionString: database.url });
    await sql.connect();
    publisher = await openEventPublisher(rabbit.exchange);
    marketData.setQuote('AAPL', '189.96', '190.04');
    marketData.setQuote('MSFT', '414.90', '415.10');
  });

  afterAll(async () => {
    await app?.close();
    await riskApp?.close();
    await riskProxy?.stop();
    await marketData.stop();
    await events?.close();
    await publisher?.close();
    await sql?.end();
    await rabbit?.cleanup(['trading.market-ticks', 'risk.trades']);
    await database?.drop();
    env.restore();
  });

  describe('market orders', () => {
    const userId = randomUUID();
    let buyOrderId: string;

    it('fills a market buy at the ask: 201 with the trade, order and trade rows, trade.executed, and metric deltas', async () => {
      const before = await metricsText();

      const response = await place(userId, { symbol: 'aapl', side: 'buy', type: 'market', quantity: '10' });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        status: 'filled',
        symbol: 'AAPL',
        side: 'buy',
        type: 'market',
        quantity: '10',
        limitPrice: null,
        filledQuantity: '10',
        averagePrice: '190.04',
        trade: { tradeId: expect.any(String), price: '190.04', quantity: '10', notional: '1900.40', executedAt: expect.any(String) },
        createdAt: expect.any(String),
      });
      buyOrderId = response.body.orderId;
      const tradeId = response.body.trade.tradeId;
      expect(await rowsOf(userId)).toEqual({
        orders: [{ id: buyOrderId, symbol: 'AAPL', side: 'buy', type: 'market', quantity: '10.00000000', limit_price: null, status: 'filled', filled_quantity: '10.00000000', average_price: '190.04', reason: null }],
        trades: [{ id: tradeId, order_id: buyOrderId, symbol: 'AAPL', side: 'buy', quantity: '10.00000000', price: '190.04', notional: '1900.40', currency: 'USD' }],
      });

      const event = await waitForEvent<TradeExecuted>('trade.executed', buyOrderId);
      expect(event).toEqual({
        messageId: tradeId,
        payload: { tradeId, orderId: buyOrderId, userId, symbol: 'AAPL', side: 'buy', quantity: '10', price: '190.04', notional: '1900.40', currency: 'USD', executedAt: response.body.trade.executedAt },
      });
      expect(eventsFor('order.placed', buyOrderId)).toEqual([]);

      const after = await metricsText();
      expect(delta(before, after, 'orders_total', { type: 'market', side: 'buy', status: 'filled' })).toBe(1);
      expect(delta(before, after, 'trades_executed_total', { symbol: 'AAPL', side: 'buy' })).toBe(1);
      expect(delta(before, after, 'trade_volume_total', { symbol: 'AAPL' })).toBe(1900.4);
      expect(delta(before, after, 'trade_execution_duration_seconds_count')).toBe(1);
    });

    it('fills a market sell at the bid once risk has seen the buy through trade.executed', async () => {
      await riskHolds(userId, 'AAPL', '10');
      const before = await metricsText();

      const response = await place(userId, { symbol: 'AAPL', side: 'sell', type: 'market', quantity: '4' });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'filled', side: 'sell', averagePrice: '189.96', trade: { price: '189.96', quantity: '4', notional: '759.84' } });
      const event = await waitForEvent<TradeExecuted>('trade.executed', response.body.orderId);
      expect(event.payload).toMatchObject({ side: 'sell', quantity: '4', price: '189.96', notional: '759.84' });
      const after = await metricsText();
      expect(delta(before, after, 'orders_total', { type: 'market', side: 'sell', status: 'filled' })).toBe(1);
      expect(delta(before, after, 'trades_executed_total', { symbol: 'AAPL', side: 'sell' })).toBe(1);
      expect(delta(before, after, 'trade_volume_total', { symbol: 'AAPL' })).toBe(759.84);
      await riskHolds(userId, 'AAPL', '6');
    });

    it('rounds the notional to cents: 0.333 × 190.04 = 63.28332 → 63.28', async () => {
      const response = await place(randomUUID(), { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '0.333' });
      expect(response.status).toBe(201);
      expect(response.body.trade).toMatchObject({ quantity: '0.333', price: '190.04', notional: '63.28' });
    });

    it('records a risk rejection: 422 with reason and message, a rejected order row, order.rejected, no trade', async () => {
      const rejectedUser = randomUUID();
      const before = await metricsText();

      // 30 × 190.04 = 5701.20, above the 5000 per-order limit risk runs with here.
      const response = await place(rejectedUser, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '30' });

      expect(response.status).toBe(422);
      expect(response.body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        reason: 'order_notional_limit',
        message: 'Order notional 5701.20 USD exceeds the per-order limit of 5000.00 USD',
        orderId: expect.any(String),
        request_id: expect.any(String),
      });
      const { orders, trades } = await rowsOf(rejectedUser);
      expect(orders).toEqual([expect.objectContaining({ id: response.body.orderId, status: 'rejected', reason: 'order_notional_limit', filled_quantity: '0.00000000', average_price: null })]);
      expect(trades).toEqual([]);
      const event = await waitForEvent<OrderEvent>('order.rejected', response.body.orderId);
      expect(event.payload).toEqual({
        orderId: response.body.orderId,
        userId: rejectedUser,
        symbol: 'AAPL',
        side: 'buy',
        type: 'market',
        quantity: '30',
        status: 'rejected',
        reason: 'order_notional_limit',
        occurredAt: expect.any(String),
      });
      const after = await metricsText();
      expect(delta(before, after, 'orders_total', { type: 'market', side: 'buy', status: 'rejected' })).toBe(1);
      expect(delta(before, after, 'trades_executed_total')).toBe(0);
    });

    it('rejects selling what the user does not hold with 422 insufficient_position', async () => {
      const response = await place(randomUUID(), { symbol: 'MSFT', side: 'sell', type: 'market', quantity: '1' });
      expect(response.status).toBe(422);
      expect(response.body.reason).toBe('insufficient_position');
    });
  });

  describe('limit orders', () => {
    it('fills a limit buy the quote already crosses at once, at the ask rather than the limit', async () => {
      const response = await place(randomUUID(), { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '2', limitPrice: '195.00' });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'filled', type: 'limit', limitPrice: '195.00', averagePrice: '190.04', trade: { price: '190.04', notional: '380.08' } });
    });

    it('rests a limit buy below the ask as open (order.placed), then fills it at the ask of the first tick that crosses, once even if the tick repeats', async () => {
      const userId = randomUUID();
      const before = await metricsText();

      const response = await place(userId, { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '3', limitPrice: '185.5' });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'open', limitPrice: '185.50', filledQuantity: '0', averagePrice: null, trade: null });
      const orderId = response.body.orderId;
      const placed = await waitForEvent<OrderEvent>('order.placed', orderId);
      expect(placed.payload).toEqual({ orderId, userId, symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '3', limitPrice: '185.50', status: 'open', occurredAt: expect.any(String) });
      expect((await rowsOf(userId)).trades).toEqual([]);
      const afterPlacing = await metricsText();
      expect(delta(before, afterPlacing, 'orders_total', { type: 'limit', side: 'buy', status: 'open' })).toBe(1);
      expect(delta(before, afterPlacing, 'trade_execution_duration_seconds_count')).toBe(0);

      // Not crossing (ask 186.00 > 185.50), then crossing at ask 185.40, then the crossing tick again.
      await publishTick({ symbol: 'AAPL', price: '185.98', bid: '185.96', ask: '186.00', currency: 'USD', sequence: 9001, timestamp: new Date().toISOString() });
      const crossing: MarketTick = { symbol: 'AAPL', price: '185.38', bid: '185.36', ask: '185.40', currency: 'USD', sequence: 9002, timestamp: new Date().toISOString() };
      await publishTick(crossing);
      const filled = await waitForEvent<TradeExecuted>('trade.executed', orderId);
      await publishTick(crossing);
      await publishTick({ ...crossing, sequence: 9003 });
      await waitFor('the repeated ticks to be consumed', async () => {
        const { messageCount } = await publisher.channel.checkQueue(`${rabbit.queuePrefix}trading.market-ticks`);
        return messageCount === 0 ? true : undefined;
      });

      expect(filled.payload).toMatchObject({ orderId, userId, side: 'buy', quantity: '3', price: '185.40', notional: '556.20' });
      const order = await http().get(`/orders/${orderId}`).set('x-user-id', userId).expect(200);
      expect(order.body).toMatchObject({ status: 'filled', filledQuantity: '3', averagePrice: '185.40', trade: { tradeId: filled.payload.tradeId, price: '185.40' } });
      expect((await rowsOf(userId)).trades).toHaveLength(1);
      expect(eventsFor('trade.executed', orderId)).toHaveLength(1);
      const after = await metricsText();
      expect(delta(before, after, 'orders_total', { type: 'limit', side: 'buy', status: 'filled' })).toBe(1);
      expect(delta(before, after, 'trades_executed_total', { symbol: 'AAPL', side: 'buy' })).toBe(1);
      expect(delta(before, after, 'trade_volume_total', { symbol: 'AAPL' })).toBe(556.2);
    });

    it('rests a limit sell above the bid and fills it at the bid of a tick at or above the limit', async () => {
      const userId = randomUUID();
      await place(userId, { symbol: 'MSFT', side: 'buy', type: 'market', quantity: '2' }).expect(201);
      await riskHolds(userId, 'MSFT', '2');

      const response = await place(userId, { symbol: 'MSFT', side: 'sell', type: 'limit', quantity: '2', limitPrice: '420.00' });
      expect(response.body).toMatchObject({ status: 'open' });
      await publishTick({ symbol: 'MSFT', price: '420.10', bid: '420.00', ask: '420.20', currency: 'USD', sequence: 9101, timestamp: new Date().toISOString() });

      const filled = await waitForEvent<TradeExecuted>('trade.executed', response.body.orderId);
      expect(filled.payload).toMatchObject({ side: 'sell', price: '420.00', notional: '840.00' });
    });
  });

  describe('cancel', () => {
    it('cancels an open order: 200 cancelled, order.cancelled, counted; a later crossing tick does not fill it; a second cancel is 409', async () => {
      const userId = randomUUID();
      const placed = await place(userId, { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '1', limitPrice: '150.00' }).expect(201);
      const orderId = placed.body.orderId;
      const before = await metricsText();

      const response = await http().delete(`/orders/${orderId}`).set('x-user-id', userId);

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ orderId, status: 'cancelled', limitPrice: '150.00', trade: null });
      const event = await waitForEvent<OrderEvent>('order.cancelled', orderId);
      expect(event.payload).toMatchObject({ orderId, userId, status: 'cancelled', limitPrice: '150.00' });
      const after = await metricsText();
      expect(delta(before, after, 'orders_total', { type: 'limit', side: 'buy', status: 'cancelled' })).toBe(1);

      await publishTick({ symbol: 'AAPL', price: '149.00', bid: '148.98', ask: '149.02', currency: 'USD', sequence: 9201, timestamp: new Date().toISOString() });
      await waitFor('the tick to be consumed', async () => {
        const { messageCount } = await publisher.channel.checkQueue(`${rabbit.queuePrefix}trading.market-ticks`);
        return messageCount === 0 ? true : undefined;
      });
      expect((await rowsOf(userId)).orders).toEqual([expect.objectContaining({ status: 'cancelled' })]);
      expect((await rowsOf(userId)).trades).toEqual([]);

      const again = await http().delete(`/orders/${orderId}`).set('x-user-id', userId);
      expect(again.status).toBe(409);
      expect(again.body.message).toBe(`order ${orderId} is cancelled; only open orders can be cancelled`);
    });

    it('answers 409 for cancelling a filled order, 404 for another user\'s or an unknown order, 400 for a non-UUID id', async () => {
      const userId = randomUUID();
      const filled = await place(userId, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1' }).expect(201);

      expect((await http().delete(`/orders/${filled.body.orderId}`).set('x-user-id', userId)).status).toBe(409);
      expect((await http().delete(`/orders/${filled.body.orderId}`).set('x-user-id', randomUUID())).status).toBe(404);
      expect((await http().delete(`/orders/${randomUUID()}`).set('x-user-id', userId)).status).toBe(404);
      const malformed = await http().delete('/orders/not-a-uuid').set('x-user-id', userId);
      expect(malformed.status).toBe(400);
      expect(malformed.body.message).toBe('orderId must be a UUID');
      expect((await rowsOf(userId)).orders).toEqual([expect.objectContaining({ status: 'filled' })]);
    });
  });

  describe('upstream failures write nothing', () => {
    it('answers 400 "unknown symbol ZZZZ" for a symbol market-data does not know', async () => {
      const userId = randomUUID();
      const response = await place(userId, { symbol: 'ZZZZ', side: 'buy', type: 'market', quantity: '1' });

      expect(response.status).toBe(400);
      expect(response.body.message).toBe('unknown symbol ZZZZ');
      expect(await rowsOf(userId)).toEqual({ orders: [], trades: [] });
    });

    it('answers 503 naming market-data when it has no price for the symbol', async () => {
      const userId = randomUUID();
      marketData.unpriced.add('NVDA');
      const response = await place(userId, { symbol: 'NVDA', side: 'buy', type: 'market', quantity: '1' });

      expect(response.status).toBe(503);
      expect(response.body.message).toBe('market-data has no price for NVDA right now; no order was placed');
      expect(await rowsOf(userId)).toEqual({ orders: [], trades: [] });
    });

    it.each([
      ['cuts the connection', 'cut' as const],
      ['does not answer within UPSTREAM_TIMEOUT_MS', 'silent' as const],
    ])('answers 503 naming market-data when market-data %s', async (_case, mode) => {
      const userId = randomUUID();
      marketData.mode = mode;
      try {
        const response = await place(userId, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1' });
        expect(response.status).toBe(503);
        expect(response.body.message).toBe('market-data is unreachable or did not answer in time; no order was placed');
      } finally {
        marketData.mode = 'up';
      }
      expect(await rowsOf(userId)).toEqual({ orders: [], trades: [] });
    });

    it('answers 503 naming risk when risk is unreachable', async () => {
      const userId = randomUUID();
      await riskProxy.stop();
      try {
        const response = await place(userId, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1' });
        expect(response.status).toBe(503);
        expect(response.body.message).toBe('risk is unreachable or did not answer in time; no order was placed');
      } finally {
        await riskProxy.start();
      }
      expect(await rowsOf(userId)).toEqual({ orders: [], trades: [] });
    });
  });

  describe('input validation', () => {
    const market = { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1' };
    const limit = { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '1', limitPrice: '100.00' };
    it.each([
      ['a missing symbol', { ...market, symbol: undefined }, 'symbol must be a string'],
      ['a malformed symbol', { ...market, symbol: 'bad sym!' }, 'symbol must be 1 to 12 letters'],
      ['a side other than buy or sell', { ...market, side: 'short' }, 'side must be "buy" or "sell"'],
      ['a type other than market or limit', { ...market, type: 'stop' }, 'type must be "market" or "limit"'],
      ['a missing quantity', { ...market, quantity: undefined }, 'quantity must be a decimal string greater than zero'],
      ['a zero quantity', { ...market, quantity: '0.0' }, 'quantity must be a decimal string greater than zero'],
      ['a negative quantity', { ...market, quantity: '-5' }, 'quantity must be a decimal string greater than zero'],
      ['a quantity with nine decimals', { ...market, quantity: '1.000000001' }, 'quantity must be a decimal string greater than zero'],
      ['a quantity sent as a JSON number', { ...market, quantity: 1 }, 'quantity must be a decimal string greater than zero'],
      ['a limit order without limitPrice', { ...limit, limitPrice: undefined }, 'limitPrice must be a decimal string greater than zero'],
      ['a limit order with a zero limitPrice', { ...limit, limitPrice: '0' }, 'limitPrice must be a decimal string greater than zero'],
      ['a limitPrice with three decimals', { ...limit, limitPrice: '100.001' }, 'limitPrice must be a decimal string greater than zero'],
      ['a market order with a limitPrice', { ...market, limitPrice: '100.00' }, 'limitPrice must not be given for a market order'],
      ['an unknown field', { ...market, account: 'margin' }, 'property account should not exist'],
    ])('answers 400 for %s, naming the problem, and writes nothing', async (_case, body, expected) => {
      const userId = randomUUID();
      const response = await place(userId, body);

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.message).toContain(expected);
      expect(await rowsOf(userId)).toEqual({ orders: [], trades: [] });
    });

    it.each([
      ['without x-user-id', undefined],
      ['with an x-user-id that is not a UUID', 'user-1'],
    ])('answers 401 for every endpoint %s, saying requests must come through api-gateway', async (_case, header) => {
      const calls = [
        http().post('/orders').send(market),
        http().get('/orders'),
        http().get(`/orders/${randomUUID()}`),
        http().delete(`/orders/${randomUUID()}`),
        http().get('/trades'),
      ];
      for (const call of calls) {
        if (header) call.set('x-user-id', header);
        const response = await call;
        expect(response.status).toBe(401);
        expect(response.body.message).toContain('requests must come through api-gateway');
      }
    });

    it.each([
      ['/orders?limit=0', 'limit must be an integer from 1 to 100'],
      ['/orders?limit=101', 'limit must be an integer from 1 to 100'],
      ['/orders?limit=ten', 'limit must be an integer from 1 to 100'],
      ['/orders?status=done', 'status must be one of open, filled, rejected, cancelled'],
      ['/orders/12345', 'orderId must be a UUID'],
      ['/trades?limit=1.5', 'limit must be an integer from 1 to 100'],
    ])('answers 400 for GET %s', async (path, expected) => {
      const response = await http().get(path).set('x-user-id', randomUUID());
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(expected);
    });
  });

  describe('reading orders and trades', () => {
    const owner = randomUUID();
    const other = randomUUID();
    const ids: string[] = [];

    beforeAll(async () => {
      ids.push((await place(owner, { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1' }).expect(201)).body.orderId);
      ids.push((await place(owner, { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '1', limitPrice: '100.00' }).expect(201)).body.orderId);
      ids.push((await place(owner, { symbol: 'MSFT', side: 'buy', type: 'market', quantity: '1' }).expect(201)).body.orderId);
      await place(other, { symbol: 'MSFT', side: 'buy', type: 'market', quantity: '2' }).expect(201);
    });

    it('lists only the caller\'s orders, newest first, filtered by status and limited', async () => {
      const all = await http().get('/orders').set('x-user-id', owner).expect(200);
      const open = await http().get('/orders?status=open').set('x-user-id', owner).expect(200);
      const newest = await http().get('/orders?limit=1').set('x-user-id', owner).expect(200);

      expect(all.body.orders.map((order: { orderId: string }) => order.orderId)).toEqual([...ids].reverse());
      expect(open.body.orders.map((order: { orderId: string }) => order.orderId)).toEqual([ids[1]]);
      expect(newest.body.orders.map((order: { orderId: string }) => order.orderId)).toEqual([ids[2]]);
    });

    it('answers 404 for another user\'s order, exactly as for a missing one', async () => {
      const response = await http().get(`/orders/${ids[0]}`).set('x-user-id', other);
      expect(response.status).toBe(404);
      expect(response.body.message).toBe(`order ${ids[0]} not found`);
    });

    it('lists only the caller\'s trades, newest first', async () => {
      const mine = await http().get('/trades').set('x-user-id', owner).expect(200);
      const theirs = await http().get('/trades').set('x-user-id', other).expect(200);

      expect(mine.body.trades.map((trade: { orderId: string }) => trade.orderId)).toEqual([ids[2], ids[0]]);
      expect(mine.body.trades[0]).toEqual({
        tradeId: expect.any(String),
        orderId: ids[2],
        symbol: 'MSFT',
        side: 'buy',
        quantity: '1',
        price: '415.10',
        notional: '415.10',
        currency: 'USD',
        executedAt: expect.any(String),
      });
      expect(theirs.body.trades).toHaveLength(1);
      expect(theirs.body.trades[0]).toMatchObject({ symbol: 'MSFT', quantity: '2' });
    });
  });

  describe('fault injection through /admin/faults', () => {
    const bearer = { authorization: `Bearer ${FAULT_TOKEN}` };

    afterEach(async () => {
      await http().delete('/admin/faults').set(bearer).expect(200);
    });

    it('lists trading-latency (delayMs, whole milliseconds from 1 to 60000), inactive, and refuses a fraction with 400', async () => {
      const listed = await http().get('/admin/faults').set(bearer).expect(200);
      expect(listed.body).toEqual({
        service: 'trading',
        enabled: true,
        faults: [expect.objectContaining({ name: 'trading-latency', parameter: { name: 'delayMs', unit: 'ms', min: 1, max: 60_000 }, active: false, value: null })],
      });
      const refused = await http().put('/admin/faults/trading-latency').set(bearer).send({ value: 2.5 }).expect(400);
      expect(refused.body.message).toBe('value must be a whole number from 1 to 60000 (ms); got 2.5');
    });

    it('trading-latency makes every fill wait at least the added delay, and clearing it gives back the configured latency', async () => {
      const latency = app.get(ExecutionLatency);
      const configuredMs = latency.delayMs;
      const addedMs = 300;
      const before = await metricsText();

      const activated = await http().put('/admin/faults/trading-latency').set(bearer).send({ value: addedMs }).expect(200);
      expect(activated.body).toMatchObject({ name: 'trading-latency', active: true, value: addedMs });
      expect(latency.delayMs).toBe(configuredMs + addedMs);
      const started = performance.now();
      const response = await place(randomUUID(), { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1' });
      const tookMs = performance.now() - started;

      expect(response.status).toBe(201);
      expect(response.body.status).toBe('filled');
      expect(tookMs).toBeGreaterThanOrEqual(addedMs);
      const after = await metricsText();
      expect(delta(before, after, 'trade_execution_duration_seconds_count')).toBe(1);
      expect(delta(before, after, 'trade_execution_duration_seconds_sum')).toBeGreaterThanOrEqual(addedMs / 1000);
      expect(sampleValue(after, 'fault_injection_active', { fault: 'trading-latency' })).toBe(1);

      const cleared = await http().delete('/admin/faults/trading-latency').set(bearer).expect(200);
      expect(cleared.body).toMatchObject({ name: 'trading-latency', active: false, value: null });
      expect(latency.delayMs).toBe(configuredMs);
      expect(sampleValue(await metricsText(), 'fault_injection_active', { fault: 'trading-latency' })).toBe(0);
    });
  });

  describe('/metrics', () => {
    it('passes promtool check metrics and exports the trading metrics with their labels', async () => {
      const text = await metricsText();

      expect(promtoolCheckMetrics(text)).toEqual({ exitCode: 0, output: '' });
      expect(text).toMatch(/^orders_total\{(?=[^}]*type="market")(?=[^}]*side="buy")(?=[^}]*status="filled")[^}]*\} \d+/m);
      expect(text).toMatch(/^trades_executed_total\{(?=[^}]*symbol="AAPL")(?=[^}]*side="buy")[^}]*\} \d+/m);
      expect(text).toMatch(/^trade_volume_total\{[^}]*symbol="AAPL"[^}]*\} [\d.]+/m);
      expect(text).toMatch(/^trade_execution_duration_seconds_bucket\{[^}]*le="5"[^}]*\} \d+/m);
      expect(text).toMatch(/^http_client_request_duration_seconds_count\{(?=[^}]*target="risk")[^}]*\} \d+/m);
    });
  });
});
