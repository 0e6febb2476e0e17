import type { INestApplication, Type } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import type { MarketTick } from '@ai-finance/contracts';
import {
  captureEvents,
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
  type EventCapture,
  type EventPublisher,
  type TestDatabase,
  type TestRabbitNamespace,
} from '@ai-finance/testing';
import { AccuracyGauge } from '../src/signals/accuracy-gauge';
import { ModelDegradation } from '../src/model/model-degradation';
import { MARKET_TICKS_QUEUE } from '../src/model/tick-consumer';

/*
 * Small windows so that a handful of ticks makes a crossing: short SMA over 2 ticks, long over 4,
 * 2 ticks of cooldown, a 5 s horizon. Tick timestamps are chosen by the test (1 s apart, in the recent
 * past) so the horizon passes on the test's schedule, not the clock's.
 */
const MODEL_ENV = {
  SIGNAL_SHORT_WINDOW: '2',
  SIGNAL_LONG_WINDOW: '4',
  SIGNAL_COOLDOWN_TICKS: '2',
  SIGNAL_HORIZON_SECONDS: '5',
  SIGNAL_CONFIDENCE_SCALE: '50',
  SIGNALS_METRICS_REFRESH_MS: '100',
};

/** 104, 103, 102, 101 puts the short SMA (101.5) below the long (102.5); 105 then lifts it above: 103 vs 102.75. */
const FALLING_THEN_UP = ['104.00', '103.00', '102.00', '101.00', '105.00'];
/** 0.5 + min(0.49, |103 − 102.75| / 102.75 × 50) = 0.62165…, rounded to 4 decimals. */
const UP_CONFIDENCE = 0.6217;
const FAULT_TOKEN = 'signals-test-fault-token-0123456789abcdef';

describe('signals (real PostgreSQL and RabbitMQ)', () => {
  const env = new TestEnv();
  let database: TestDatabase;
  let namespace: TestRabbitNamespace;
  let sql: Client;
  let publisher: EventPublisher;
  let events: EventCapture;
  let AppModule: Type<unknown>;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const base = Date.now() - 120_000;

  beforeAll(async () => {
    database = await createTestDatabase('signals');
    namespace = createRabbitNamespace('signals');
    env.set({ ...MODEL_ENV, ...serviceEnv(database, namespace), FAULT_INJECTION_ENABLED: 'true', FAULT_INJECTION_TOKEN: FAULT_TOKEN });
    events = await captureEvents(namespace.exchange, ['signal.*']);
    ({ AppModule } = (await import('../src/app.module')) as { AppModule: Type<unknown> });
    app = await startNestApp(AppModule);
    sql = new Client({ connectionString: database.url, options: '-c search_path=signals' });
    await sql.connect();
    publisher = await openEventPublisher(namespace.exchange);
  });

  afterAll(async () => {
    await app?.close();
    await events?.close();
    await publisher?.close();
    await sql?.end();
    await namespace?.cleanup([MARKET_TICKS_QUEUE]);
    await database?.drop();
    env.restore();
  });

  const at = (second: number) => new Date(base + second * 1_000).toISOString();

  async function publishTick(symbol: string, sequence: number, price: string, second = sequence): Promise<void> {
    const tick: MarketTick = { symbol, price, bid: price, ask: price, currency: 'USD', sequence, timestamp: at(second) };
    await publisher.publish(`market.tick.${symbol}`, tick, `${symbol}-${sequence}`);
  }

  async function lastSequence(symbol: string): Promise<number | undefined> {
    const { rows } = await sql.query<{ last_sequence: string }>('SELECT last_sequence FROM model_state WHERE symbol = $1', [symbol]);
    return rows[0] ? Number(rows[0].last_sequence) : undefined;
  }

  /** Publishes prices as ticks `first`, `first + 1`, ... (sequence = second) and waits until the last is applied. */
  async function feed(symbol: string, prices: string[], first = 1): Promise<void> {
    for (const [index, price] of prices.entries()) await publishTick(symbol, first + index, price);
    const last = first + prices.length - 1;
    await waitFor(`${symbol} tick ${last} to be applied`, async () => ((await lastSequence(symbol)) === last ? true : undefined), 10_000, 25);
  }

  async function signalRows(symbol: string) {
    const { rows } = await sql.query(
      `SELECT direction, confidence::float8 AS confidence, price_at_signal::text, tick_sequence::int, generated_at, evaluate_after, outcome, realised_price::text
       FROM signals WHERE symbol = $1 ORDER BY generated_at`,
      [symbol],
    );
    return rows;
  }

  const metrics = () => scrapeMetrics(app);

  async function duplicatesConsumed(): Promise<number> {
    return sampleValue(await metrics(), 'messages_consumed_total', { queue: `${namespace.queuePrefix}${MARKET_TICKS_QUEUE}`, status: 'duplicate' });
  }

  it('exports no signal_accuracy_ratio series while no signal has been evaluated (no NaN, no made-up 0)', async () => {
    await app.get(AccuracyGauge).refresh();
    const text = await metrics();
    expect(text).toContain('# TYPE signal_accuracy_ratio gauge');
    expect(text).not.toMatch(/^signal_accuracy_ratio\{/m);
    expect(text).toMatch(/^signals_evaluated_total\{[^}]*outcome="correct"[^}]*\} 0$/m);
  });

  it('signals an up-crossing with the documented confidence, ignores a repeated tick, and publishes signal.generated with the row', async () => {
    const before = await metrics();
    await feed('UPA', FALLING_THEN_UP.slice(0, 4));
    expect(await signalRows('UPA')).toEqual([]);

    // A repeat of tick 3 with another price must change nothing (else the averages and the confidence below would differ).
    const duplicates = await duplicatesConsumed();
    await publishTick('UPA', 3, '1.00');
    await waitFor('the repeated UPA tick 3 to be dropped', async () => ((await duplicatesConsumed()) === duplicates + 1 ? true : undefined));
    expect((await sql.query('SELECT price::text FROM price_history WHERE symbol = $1 AND sequence = 3', ['UPA'])).rows).toEqual([{ price: '102.00' }]);

    await feed('UPA', FALLING_THEN_UP.slice(4), 5);
    const rows = await signalRows('UPA');
    expect(rows).toEqual([
      {
        direction: 'up',
        confidence: UP_CONFIDENCE,
        price_at_signal: '105.00',
        tick_sequence: 5,
        generated_at: new Date(at(5)),
        evaluate_after: new Date(at(10)),
        outcome: null,
        realised_price: null,
      },
    ]);
    expect(0.5 + Math.min(0.49, (Math.abs(103 - 102.75) / 102.75) * 50)).toBeCloseTo(UP_CONFIDENCE, 4);

    const generated = await waitFor('signal.generated for UPA', () => events.withKey('signal.generated').find((event) => event.payload.symbol === 'UPA'));
    expect(generated.payload).toEqual({
      signalId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      symbol: 'UPA',
      direction: 'up',
      confidence: UP_CONFIDENCE,
      priceAtSignal: '105.00',
      generatedAt: at(5),
      evaluateAfter: at(10),
    });
    expect(generated.messageId).toEqual(expect.any(String));

    const after = await metrics();
    expect(sampleValue(after, 'signals_generated_total', { symbol: 'UPA', direction: 'up' }) - sampleValue(before, 'signals_generated_total', { symbol: 'UPA', direction: 'up' })).toBe(1);
    expect(sampleValue(after, 'signal_confidence_count') - sampleValue(before, 'signal_confidence_count')).toBe(1);
    expect(sampleValue(after, 'signal_confidence_bucket', { le: '0.6' }) - sampleValue(before, 'signal_confidence_bucket', { le: '0.6' })).toBe(0);
    expect(sampleValue(after, 'signal_confidence_bucket', { le: '0.65' }) - sampleValue(before, 'signal_confidence_bucket', { le: '0.65' })).toBe(1);
  });

  it("scores the up signal 'correct' on the first tick at or after its horizon (price rose), not before, and publishes signal.evaluated", async () => {
    const before = await metrics();
    await feed('UPA', ['106.00', '107.00', '108.00', '109.00'], 6); // seconds 6 to 9: before evaluate_after (10)
    expect((await signalRows('UPA'))[0]).toMatchObject({ outcome: null });

    await feed('UPA', ['110.00'], 10);
    expect(await signalRows('UPA')).toEqual([expect.objectContaining({ outcome: 'correct', realised_price: '110.00' })]);
    const evaluated = await waitFor('signal.evaluated for UPA', () => events.withKey('signal.evaluated').find((event) => event.payload.symbol === 'UPA'));
    expect(evaluated.payload).toEqual({
      signalId: events.withKey('signal.generated').find((event) => event.payload.symbol === 'UPA')!.payload.signalId,
      symbol: 'UPA',
      direction: 'up',
      priceAtSignal: '105.00',
      realisedPrice: '110.00',
      outcome: 'correct',
      evaluatedAt: at(10),
    });
    const after = await metrics();
    expect(sampleValue(after, 'signals_evaluated_total', { outcome: 'correct' }) - sampleValue(before, 'signals_evaluated_total', { outcome: 'correct' })).toBe(1);
    // Only the last long-window (4) ticks of a symbol stay in price_history.
    const kept = await sql.query<{ sequence: string }>('SELECT sequence FROM price_history WHERE symbol = $1 ORDER BY sequence', ['UPA']);
    expect(kept.rows.map((row) => Number(row.sequence))).toEqual([7, 8, 9, 10]);
  });

  it("signals a down-crossing with confidence capped at 0.99, and scores it 'incorrect' when the price did not move strictly down", async () => {
    const before = await metrics();
    // 100..103: short above long; 95: short 99 below long 100.25, |gap| / long × 50 = 0.62 → capped at 0.49.
    await feed('DNB', ['100.00', '101.00', '102.00', '103.00', '95.00', '95.00', '95.00', '95.00', '95.00', '95.00']);
    expect(await signalRows('DNB')).toEqual([
      expect.objectContaining({ direction: 'down', confidence: 0.99, price_at_signal: '95.00', tick_sequence: 5, outcome: 'incorrect', realised_price: '95.00' }),
    ]);
    const evaluated = await waitFor('signal.evaluated for DNB', () => events.withKey('signal.evaluated').find((event) => event.payload.symbol === 'DNB'));
    expect(evaluated.payload).toMatchObject({ direction: 'down', outcome: 'incorrect', priceAtSignal: '95.00', realisedPrice: '95.00', evaluatedAt: at(10) });
    const after = await metrics();
    expect(sampleValue(after, 'signals_generated_total', { symbol: 'DNB', direction: 'down' })).toBe(1);
    expect(sampleValue(after, 'signal_confidence_bucket', { le: '0.95' }) - sampleValue(before, 'signal_confidence_bucket', { le: '0.95' })).toBe(0);
    expect(sampleValue(after, 'signal_confidence_bucket', { le: '0.99' }) - sampleValue(before, 'signal_confidence_bucket', { le: '0.99' })).toBe(1);
    expect(sampleValue(after, 'signals_evaluated_total', { outcome: 'incorrect' }) - sampleValue(before, 'signals_evaluated_total', { outcome: 'incorrect' })).toBe(1);
  });

  it('waits SIGNAL_COOLDOWN_TICKS (2) ticks after a signal: crossings 1 and 2 ticks later are not signalled, one 4 ticks later is', async () => {
    // 5: up signal. 6 (95): short 100 < long 100.75, a down-crossing 1 tick later. 7 (120): short 107.5 > long 105.25,
    // an up-crossing 2 ticks later. 8 (80): averages equal (100). 9 (70): short 75 < long 91.25, 4 ticks later: signalled.
    await feed('CDC', [...FALLING_THEN_UP, '95.00', '120.00', '80.00', '70.00']);
    const rows = await signalRows('CDC');
    expect(rows.map((row) => [row.tick_sequence, row.direction])).toEqual([
      [5, 'up'],
      [9, 'down'],
    ]);
    const cdcEvents = () => events.withKey('signal.generated').filter((event) => event.payload.symbol === 'CDC');
    await waitFor('two signal.generated events for CDC', () => (cdcEvents().length >= 2 ? true : undefined));
    expect(cdcEvents().map((event) => [event.payload.generatedAt, event.payload.direction])).toEqual([
      [at(5), 'up'],
      [at(9), 'down'],
    ]);
  });

  it('flips generated directions while the model-degradation hook is inverted, and only then', async () => {
    const degradation = app.get(ModelDegradation);
    expect(degradation.inverted).toBe(false);
    degradation.setInverted(true);
    try {
      await feed('INV', FALLING_THEN_UP);
    } finally {
      degradation.setInverted(false);
    }
    await feed('INW', FALLING_THEN_UP);
    expect((await signalRows('INV')).map((row) => row.direction)).toEqual(['down']);
    expect((await signalRows('INW')).map((row) => row.direction)).toEqual(['up']);
  });

  it('signal-accuracy-drop over /admin/faults turns the degradation switch on, so the next crossing is signalled the wrong way, and off again when cleared', async () => {
    const bearer = { authorization: `Bearer ${FAULT_TOKEN}` };
    const degradation = app.get(ModelDegradation);

    const activated = await http().put('/admin/faults/signal-accuracy-drop').set(bearer).send({}).expect(200);
    expect(activated.body).toMatchObject({ name: 'signal-accuracy-drop', parameter: null, active: true, value: null });
    expect(degradation.inverted).toBe(true);
    expect(sampleValue(await metrics(), 'fault_injection_active', { fault: 'signal-accuracy-drop' })).toBe(1);
    await feed('FLT', FALLING_THEN_UP);

    const cleared = await http().delete('/admin/faults/signal-accuracy-drop').set(bearer).expect(200);
    expect(cleared.body).toMatchObject({ name: 'signal-accuracy-drop', active: false });
    expect(degradation.inverted).toBe(false);
    await feed('FLU', FALLING_THEN_UP);
    expect((await signalRows('FLT')).map((row) => row.direction)).toEqual(['down']);
    expect((await signalRows('FLU')).map((row) => row.direction)).toEqual(['up']);
    expect(sampleValue(await metrics(), 'fault_injection_active', { fault: 'signal-accuracy-drop' })).toBe(0);
  });

  it('lists signals newest first, filtered by symbol and limited', async () => {
    const all = await http().get('/signals').set('x-user-id', '2f1c1c8e-1111-4a4a-9b9b-123456789abc');
    expect(all.status).toBe(200);
    const generatedTimes = all.body.signals.map((signal: { generatedAt: string }) => signal.generatedAt);
    expect(generatedTimes).toEqual([...generatedTimes].sort().reverse());

    const upa = await http().get('/signals?symbol=upa&limit=1');
    expect(upa.status).toBe(200);
    expect(upa.body).toEqual({
      signals: [
        {
          signalId: expect.any(String),
          symbol: 'UPA',
          direction: 'up',
          confidence: UP_CONFIDENCE,
          priceAtSignal: '105.00',
          generatedAt: at(5),
          evaluateAfter: at(10),
          outcome: 'correct',
          realisedPrice: '110.00',
        },
      ],
    });
    const cdc = await http().get('/signals?symbol=CDC&limit=1');
    expect(cdc.body.signals.map((signal: { direction: string; outcome: null }) => [signal.direction, signal.outcome])).toEqual([['down', null]]);
    expect((await http().get('/signals?symbol=NONE')).body).toEqual({ signals: [] });
  });

  it('reports accuracy per window (1 correct of 2 evaluated) on GET /signals/accuracy and in signal_accuracy_ratio', async () => {
    for (const window of ['1h', '24h', '7d']) {
      const response = await http().get(`/signals/accuracy?window=${window}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ window, evaluated: 2, correct: 1, accuracy: 0.5 });
    }
    expect((await http().get('/signals/accuracy')).body).toEqual({ window: '24h', evaluated: 2, correct: 1, accuracy: 0.5 });

    const text = await waitFor('signal_accuracy_ratio for 1h and 24h after a refresh', async () => {
      const exposition = await metrics();
      return /^signal_accuracy_ratio\{[^}]*window="1h"[^}]*\} 0\.5$/m.test(exposition) && /^signal_accuracy_ratio\{[^}]*window="24h"[^}]*\} 0\.5$/m.test(exposition)
        ? exposition
        : undefined;
    });
    expect(text).not.toMatch(/window="7d"/);
  });

  it.each([
    ['/signals?limit=0', 'limit must be a whole number from 1 to 100'],
    ['/signals?limit=101', 'limit must be a whole number from 1 to 100'],
    ['/signals?limit=abc', 'limit must be a whole number from 1 to 100'],
    ['/signals?limit=2.5', 'limit must be a whole number from 1 to 100'],
    ['/signals?symbol=bad_sym!', 'symbol must be 1 to 12 letters'],
    ['/signals?colour=red', 'property colour should not exist'],
    ['/signals/accuracy?window=2h', 'window must be one of 1h, 24h, 7d'],
    ['/signals/accuracy?window=', 'window must be one of 1h, 24h, 7d'],
  ])('answers 400 for GET %s, saying "%s"', async (path, message) => {
    const response = await http().get(path);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(response.body.message).toContain(message);
  });

  it('exports a /metrics exposition that promtool accepts', async () => {
    const text = await metrics();
    expect(text).toMatch(/^signals_generated_total\{[^}]*symbol="UPA"[^}]*direction="up"[^}]*\} 1$/m);
    expect(text).toMatch(/^signal_confidence_bucket\{[^}]*le="0.99"[^}]*\} \d+$/m);
    const check = promtoolCheckMetrics(text);
    expect({ exitCode: check.exitCode, output: check.output }).toEqual({ exitCode: 0, output: '' });
  });

  it('rebuilds the model from price_history after a restart: the crossing spanning the restart is signalled, and a repeat is still ignored', async () => {
    await feed('RST', FALLING_THEN_UP.slice(0, 4));
    await app.close();
    app = await startNestApp(AppModule);

    const duplicates = await duplicatesConsumed();
    await publishTick('RST', 4, '500.00');
    await waitFor('the repeated RST tick 4 to be dropped after the restart', async () => ((await duplicatesConsumed()) === duplicates + 1 ? true : undefined));
    await feed('RST', FALLING_THEN_UP.slice(4), 5);
    expect(await signalRows('RST')).toEqual([expect.objectContaining({ direction: 'up', confidence: UP_CONFIDENCE, tick_sequence: 5 })]);
    const kept = await sql.query<{ sequence: string }>('SELECT sequence FROM price_history WHERE symbol = $1 ORDER BY sequence', ['RST']);
    expect(kept.rows.map((row) => Number(row.sequence))).toEqual([2, 3, 4, 5]);
  });
});
