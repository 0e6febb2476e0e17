import { randomUUID } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { Client } from 'pg';
import {
  captureEvents,
  createRabbitNamespace,
  createTestDatabase,
  fetchMetrics,
  promtoolCheckMetrics,
  sampleValue,
  serviceEnv,
  startNestApp,
  TestEnv,
  waitFor,
  type EventCapture,
  type TestDatabase,
  type TestRabbitNamespace,
} from '@ai-finance/testing';
import type { PaymentProviders } from '../src/providers/payment-providers';

// Runs payment in-process against the real PostgreSQL and RabbitMQ: a database and an exchange of its own.

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

const VALID = { amount: '49.99', currency: 'EUR', method: 'card', plan: 'pro' } as const;
const FAULT_TOKEN = 'payment-test-fault-token-0123456789abcdef';

describe('payment (real PostgreSQL and RabbitMQ)', () => {
  const env = new TestEnv();
  let database: TestDatabase;
  let rabbit: TestRabbitNamespace;
  let events: EventCapture;
  let sql: Client;
  let app: INestApplication;
  let baseUrl: string;
  let providers: PaymentProviders;
  let PaymentProvidersClass: Type<PaymentProviders>;

  async function call(method: string, path: string, options: { headers?: Record<string, string>; body?: unknown; rawBody?: string } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = {};
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  }

  function pay(userId: string, key: string | undefined, body: unknown = VALID, extraHeaders: Record<string, string> = {}): Promise<Reply> {
    return call('POST', '/payments', { headers: { 'x-user-id': userId, ...(key === undefined ? {} : { 'idempotency-key': key }), ...extraHeaders }, body });
  }

  const metricsText = () => fetchMetrics(baseUrl);

  /** /admin/faults with the token, as an operator's `start-monitoring.sh fault` would call it. */
  function faults(method: string, name = '', body?: unknown): Promise<Reply> {
    return call(method, `/admin/faults${name ? `/${name}` : ''}`, { headers: { authorization: `Bearer ${FAULT_TOKEN}` }, body });
  }

  async function count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
    const { rows } = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM payment.${table} WHERE ${where}`, params);
    return Number(rows[0]!.n);
  }

  async function outboxDrained(): Promise<true | undefined> {
    return (await count('outbox')) === 0 ? true : undefined;
  }

  const newKey = (): string => `key-${randomUUID()}`;

  beforeAll(async () => {
    database = await createTestDatabase('payment');
    rabbit = createRabbitNamespace('payment');
    events = await captureEvents(rabbit.exchange, ['payment.*']);
    env.set({
      ...serviceEnv(database, rabbit),
      // Repeats wait at most 4 s here (15 s by default), so the "still in progress" case stays quick.
      PAYMENT_IDEMPOTENCY_WAIT_MS: '4000',
      FAULT_INJECTION_ENABLED: 'true',
      FAULT_INJECTION_TOKEN: FAULT_TOKEN,
    });
    const { AppModule } = await import('../src/app.module');
    ({ PaymentProviders: PaymentProvidersClass } = await import('../src/providers/payment-providers'));
    app = await startNestApp(AppModule);
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    baseUrl = baseUrl.replace('[::1]', '127.0.0.1');
    providers = app.get(PaymentProvidersClass);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await app?.close();
    await sql?.end();
    await events?.close();
    await rabbit?.cleanup([]);
    await database?.drop();
    env.restore();
  });

  afterEach(() => {
    // Every test starts with both providers healthy and approving.
    providers.configure('primary', { failureRate: 0, declineRate: 0, latencyMs: 25 });
    providers.configure('backup', { failureRate: 0, declineRate: 0, latencyMs: 25 });
  });

  describe('POST /payments', () => {
    it('charges the primary provider, answers 201, writes the payment, a balanced ledger entry and the payment.succeeded event, and moves the metrics once', async () => {
      const userId = randomUUID();
      const key = newKey();
      const before = await metricsText();

      const response = await pay(userId, key, VALID);

      expect(response.status).toBe(201);
      expect(response.headers.get('idempotent-replayed')).toBeNull();
      expect(response.body).toEqual({
        paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'succeeded',
        amount: '49.99',
        currency: 'EUR',
        method: 'card',
        plan: 'pro',
        provider: 'provider-a',
        createdAt: expect.any(String),
      });
      const paymentId = response.body.paymentId as string;

      const payments = await sql.query('SELECT user_id, idempotency_key, amount::text, currency, method, plan, status, provider, provider_reference FROM payment.payments WHERE id = $1', [paymentId]);
      expect(payments.rows).toEqual([
        {
          user_id: userId,
          idempotency_key: key,
          amount: '49.99',
          currency: 'EUR',
          method: 'card',
          plan: 'pro',
          status: 'succeeded',
          provider: 'provider-a',
          provider_reference: expect.stringMatching(/^provider-a_/),
        },
      ]);
      const lines = await sql.query(
        `SELECT l.account, l.direction, l.amount::text, l.currency
           FROM payment.ledger_lines l JOIN payment.ledger_entries e ON e.id = l.entry_id
          WHERE e.payment_id = $1 ORDER BY l.direction DESC`,
        [paymentId],
      );
      expect(await count('ledger_entries', 'payment_id = $1', [paymentId])).toBe(1);
      expect(lines.rows).toEqual([
        { account: 'cash_at_provider', direction: 'debit', amount: '49.99', currency: 'EUR' },
        { account: 'subscription_revenue', direction: 'credit', amount: '49.99', currency: 'EUR' },
      ]);
      const keyRow = await sql.query('SELECT state, response_status, payment_id FROM payment.idempotency_keys WHERE user_id = $1 AND idempotency_key = $2', [userId, key]);
      expect(keyRow.rows).toEqual([{ state: 'completed', response_status: 201, payment_id: paymentId }]);

      const event = await waitFor('the payment.succeeded event of this payment', () =>
        events.withKey('payment.succeeded').find((candidate) => candidate.payload.paymentId === paymentId),
      );
      expect(event.payload).toEqual({
        paymentId,
        userId,
        amount: '49.99',
        currency: 'EUR',
        method: 'card',
        provider: 'provider-a',
        plan: 'pro',
        occurredAt: response.body.createdAt,
      });
      expect(event.messageId).toEqual(expect.any(String));
      await waitFor('the outbox to be drained', outboxDrained);

      const after = await metricsText();
      const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
      expect(delta('payments_total', { method: 'card', status: 'succeeded', provider: 'provider-a' })).toBe(1);
      expect(delta('payments_total', {})).toBe(1);
      expect(delta('payment_revenue_total', { currency: 'EUR', method: 'card' })).toBeCloseTo(49.99, 6);
      expect(delta('payment_processing_duration_seconds_count', { status: 'succeeded' })).toBe(1);
      expect(delta('payment_provider_failovers_total', {})).toBe(0);

      const fetched = await call('GET', `/payments/${paymentId}`, { headers: { 'x-user-id': userId } });
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(response.body);
    });

    it('replays a repeated request (same key, same body in another field order) with the identical status and body and idempotent-replayed: true, without charging again', async () => {
      const userId = randomUUID();
      const key = newKey();
      const first = await pay(userId, key, { amount: '12.50', currency: 'USD', method: 'wallet', plan: 'basic' });
      expect(first.status).toBe(201);
      const callsBefore = providers.provider('primary').chargeCalls;
      const metricsBefore = await metricsText();

      // "12.5" is the same amount as "12.50": the same request.
      const repeat = await pay(userId, key, { plan: 'basic', method: 'wallet', currency: 'USD', amount: '12.5' });

      expect(repeat.status).toBe(201);
      expect(repeat.text).toBe(first.text);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
      expect(providers.provider('primary').chargeCalls).toBe(callsBefore);
      expect(await count('payments', 'user_id = $1', [userId])).toBe(1);
      const metricsAfter = await metricsText();
      expect(sampleValue(metricsAfter, 'payments_total', {})).toBe(sampleValue(metricsBefore, 'payments_total', {}));
      expect(sampleValue(metricsAfter, 'payment_revenue_total', {})).toBe(sampleValue(metricsBefore, 'payment_revenue_total', {}));
    });

    it('ACCEPTANCE: 50 concurrent identical requests with one Idempotency-Key make one provider charge, one payment, one ledger entry, one event, and 50 identical responses', async () => {
      const userId = randomUUID();
      const key = newKey();
      const body = { amount: '199.00', currency: 'GBP', method: 'bank_transfer', plan: 'enterprise' };
      // A slow provider, so that the other 49 requests arrive while the first one is still charging.
      providers.configure('primary', { latencyMs: 300 });
      const callsBefore = providers.provider('primary').chargeCalls + providers.provider('backup').chargeCalls;
      const metricsBefore = await metricsText();

      const responses = await Promise.all(Array.from({ length: 50 }, () => pay(userId, key, body)));

      const distinct = new Set(responses.map((response) => `${response.status} ${response.text}`));
      expect([...distinct]).toHaveLength(1);
      expect(responses[0]!.status).toBe(201);
      const paymentId = responses[0]!.body.paymentId as string;
      const replayed = responses.filter((response) => response.headers.get('idempotent-replayed') === 'true');
      expect(replayed).toHaveLength(49);

      expect(providers.provider('primary').chargeCalls + providers.provider('backup').chargeCalls - callsBefore).toBe(1);
      expect(await count('payments', 'user_id = $1', [userId])).toBe(1);
      expect(await count('ledger_entries', 'payment_id = $1', [paymentId])).toBe(1);
      expect(await count('ledger_lines', 'entry_id IN (SELECT id FROM payment.ledger_entries WHERE payment_id = $1)', [paymentId])).toBe(2);
      await waitFor('the outbox to be drained', outboxDrained);
      await waitFor('the payment.succeeded event', () => events.withKey('payment.succeeded').find((event) => event.payload.paymentId === paymentId));
      // A second event would have been published in the same relay batch; give a straggler no chance to hide.
      const published = events.received.filter((event) => event.payload.paymentId === paymentId);
      expect(published.map((event) => event.routingKey)).toEqual(['payment.succeeded']);

      const metricsAfter = await metricsText();
      expect(sampleValue(metricsAfter, 'payments_total', {}) - sampleValue(metricsBefore, 'payments_total', {})).toBe(1);
      expect(
        sampleValue(metricsAfter, 'payment_revenue_total', { currency: 'GBP', method: 'bank_transfer' }) -
          sampleValue(metricsBefore, 'payment_revenue_total', { currency: 'GBP', method: 'bank_transfer' }),
      ).toBeCloseTo(199, 6);
    });

    it('answers 422 when the same Idempotency-Key comes with a different body, and writes nothing', async () => {
      const userId = randomUUID();
      const key = newKey();
      expect((await pay(userId, key, VALID)).status).toBe(201);
      const callsBefore = providers.provider('primary').chargeCalls;

      const other = await pay(userId, key, { ...VALID, amount: '50.00' });

      expect(other.status).toBe(422);
      expect(other.body.message).toBe('Idempotency-Key was already used with a different request');
      expect(await count('payments', 'user_id = $1', [userId])).toBe(1);
      expect(providers.provider('primary').chargeCalls).toBe(callsBefore);
    });

    it('keeps keys per user: another user may use the same Idempotency-Key for a payment of their own', async () => {
      const key = newKey();
      const first = await pay(randomUUID(), key, VALID);
      const second = await pay(randomUUID(), key, VALID);

      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
      expect(second.body.paymentId).not.toBe(first.body.paymentId);
    });

    it('fails over to the backup provider when the primary errors, counting payment_provider_failovers_total{from,to}', async () => {
      providers.configure('primary', { failureRate: 1 });
      const userId = randomUUID();
      const before = await metricsText();

      const response = await pay(userId, newKey(), { amount: '10.00', currency: 'USD', method: 'card', plan: 'basic' });

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'succeeded', provider: 'provider-b' });
      const paymentId = response.body.paymentId as string;
      const row = await sql.query('SELECT status, provider FROM payment.payments WHERE id = $1', [paymentId]);
      expect(row.rows).toEqual([{ status: 'succeeded', provider: 'provider-b' }]);
      const event = await waitFor('the payment.succeeded event via the backup', () =>
        events.withKey('payment.succeeded').find((candidate) => candidate.payload.paymentId === paymentId),
      );
      expect(event.payload.provider).toBe('provider-b');

      const after = await metricsText();
      const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
      expect(delta('payment_provider_failovers_total', { from: 'provider-a', to: 'provider-b' })).toBe(1);
      expect(delta('payments_total', { method: 'card', status: 'succeeded', provider: 'provider-b' })).toBe(1);
      expect(delta('payment_revenue_total', { currency: 'USD', method: 'card' })).toBeCloseTo(10, 6);
    });

    it('answers 502 "payment providers unavailable" when both providers error: failed payment row, payment.failed event, no ledger entry', async () => {
      providers.configure('primary', { failureRate: 1 });
      providers.configure('backup', { failureRate: 1 });
      const userId = randomUUID();
      const key = newKey();
      const before = await metricsText();

      const response = await pay(userId, key, VALID);

      expect(response.status).toBe(502);
      expect(response.body).toMatchObject({ statusCode: 502, error: 'Bad Gateway', message: 'payment providers unavailable' });
      expect(response.body).toMatchObject({ status: 'failed', paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const rows = await sql.query('SELECT id, status, provider, failure_reason FROM payment.payments WHERE user_id = $1', [userId]);
      expect(rows.rows).toEqual([{ id: expect.any(String), status: 'failed', provider: null, failure_reason: 'providers_unavailable' }]);
      const paymentId = rows.rows[0].id as string;
      expect(await count('ledger_entries', 'payment_id = $1', [paymentId])).toBe(0);
      const event = await waitFor('the payment.failed event', () => events.withKey('payment.failed').find((candidate) => candidate.payload.paymentId === paymentId));
      expect(event.payload).toEqual({
        paymentId,
        userId,
        amount: '49.99',
        currency: 'EUR',
        method: 'card',
        reason: 'providers_unavailable',
        occurredAt: expect.any(String),
      });

      const after = await metricsText();
      const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
      expect(delta('payments_total', { method: 'card', status: 'failed', provider: 'none' })).toBe(1);
      expect(delta('payment_provider_failovers_total', { from: 'provider-a', to: 'provider-b' })).toBe(1);
      expect(delta('payment_revenue_total', {})).toBe(0);
      expect(delta('payment_processing_duration_seconds_count', { status: 'failed' })).toBe(1);

      // The outcome is final for this key: a repeat gets the same 502, and no second charge attempt.
      providers.configure('primary', { failureRate: 0 });
      const repeat = await pay(userId, key, VALID);
      expect(repeat.status).toBe(502);
      expect(repeat.text).toBe(response.text);
      expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    });

    it('answers 402 with status declined when the provider declines, without failing over: declined row, payment.failed (declined), no ledger entry', async () => {
      providers.configure('primary', { declineRate: 1 });
      const userId = randomUUID();
      const before = await metricsText();

      const response = await pay(userId, newKey(), { ...VALID, method: 'wallet' });

      expect(response.status).toBe(402);
      expect(response.body).toMatchObject({ statusCode: 402, error: 'Payment Required', message: 'the payment was declined by provider-a' });
      expect(response.body).toMatchObject({ status: 'declined', paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/), provider: expect.any(String) });
      const rows = await sql.query('SELECT id, status, provider, failure_reason FROM payment.payments WHERE user_id = $1', [userId]);
      expect(rows.rows).toEqual([{ id: expect.any(String), status: 'declined', provider: 'provider-a', failure_reason: 'declined' }]);
      const paymentId = rows.rows[0].id as string;
      expect(await count('ledger_entries', 'payment_id = $1', [paymentId])).toBe(0);
      const event = await waitFor('the payment.failed event', () => events.withKey('payment.failed').find((candidate) => candidate.payload.paymentId === paymentId));
      expect(event.payload).toMatchObject({ paymentId, userId, method: 'wallet', reason: 'declined' });

      const after = await metricsText();
      const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
      expect(delta('payments_total', { method: 'wallet', status: 'declined', provider: 'provider-a' })).toBe(1);
      expect(delta('payment_provider_failovers_total', {})).toBe(0);
      expect(delta('payment_revenue_total', {})).toBe(0);
    });

    it('takes over a key whose request never finished once it is older than PAYMENT_IDEMPOTENCY_STALE_SECONDS, keeping the claimed payment id', async () => {
      const { fingerprintOf } = await import('../src/payments/idempotency-keys');
      const userId = randomUUID();
      const key = newKey();
      const paymentId = randomUUID();
      // What a crashed winner leaves behind: an in_progress claim from two minutes ago.
      await sql.query(
        `INSERT INTO payment.idempotency_keys (user_id, idempotency_key, fingerprint, payment_id, state, claim_token, claimed_at)
         VALUES ($1, $2, $3, $4, 'in_progress', $5, now() - interval '2 minutes')`,
        [userId, key, fingerprintOf({ amount: '49.99', currency: 'EUR', method: 'card', plan: 'pro' }), paymentId, randomUUID()],
      );

      const response = await pay(userId, key, VALID);

      expect(response.status).toBe(201);
      expect(response.body.paymentId).toBe(paymentId);
      expect(await count('payments', 'user_id = $1', [userId])).toBe(1);
    });

    it('answers 409 after the bounded wait while another request with the key is still in progress (and not stale)', async () => {
      const { fingerprintOf } = await import('../src/payments/idempotency-keys');
      const userId = randomUUID();
      const key = newKey();
      await sql.query(
        `INSERT INTO payment.idempotency_keys (user_id, idempotency_key, fingerprint, payment_id, state, claim_token)
         VALUES ($1, $2, $3, $4, 'in_progress', $5)`,
        [userId, key, fingerprintOf({ amount: '49.99', currency: 'EUR', method: 'card', plan: 'pro' }), randomUUID(), randomUUID()],
      );

      const response = await pay(userId, key, VALID);

      expect(response.status).toBe(409);
      expect(response.body.message).toContain('a request with this Idempotency-Key is still in progress');
      expect(await count('payments', 'user_id = $1', [userId])).toBe(0);
    });
  });

  describe('bad input is refused with a message naming the problem, and nothing is written', () => {
    const userId = randomUUID();
    const cases: Array<{ name: string; status: number; message: string; send: () => Promise<Reply> }> = [
      { name: 'missing Idempotency-Key', status: 400, message: 'Idempotency-Key header is required', send: () => pay(userId, undefined) },
      { name: 'too short Idempotency-Key', status: 400, message: 'Idempotency-Key header must be 8 to 128', send: () => pay(userId, 'short') },
      { name: 'Idempotency-Key with a space', status: 400, message: 'Idempotency-Key header must be 8 to 128', send: () => pay(userId, 'has a space!') },
      { name: 'too long Idempotency-Key', status: 400, message: 'Idempotency-Key header must be 8 to 128', send: () => pay(userId, 'k'.repeat(129)) },
      { name: 'negative amount', status: 400, message: 'amount must be a decimal string', send: () => pay(userId, newKey(), { ...VALID, amount: '-5.00' }) },
      { name: 'zero amount', status: 400, message: 'amount must be greater than 0', send: () => pay(userId, newKey(), { ...VALID, amount: '0.00' }) },
      { name: 'amount with three decimals', status: 400, message: 'at most two decimals', send: () => pay(userId, newKey(), { ...VALID, amount: '49.999' }) },
      { name: 'amount above 1000000.00', status: 400, message: 'at most 1000000.00', send: () => pay(userId, newKey(), { ...VALID, amount: '1000000.01' }) },
      { name: 'amount as a JSON number', status: 400, message: 'amount must be a decimal string such as "49.99", not a number', send: () => pay(userId, newKey(), { ...VALID, amount: 49.99 }) },
      { name: 'missing amount', status: 400, message: 'amount must be', send: () => pay(userId, newKey(), { currency: 'EUR', method: 'card', plan: 'pro' }) },
      { name: 'unknown currency', status: 400, message: 'currency must be one of USD, EUR, GBP', send: () => pay(userId, newKey(), { ...VALID, currency: 'JPY' }) },
      { name: 'unknown method', status: 400, message: 'method must be one of card, bank_transfer, wallet', send: () => pay(userId, newKey(), { ...VALID, method: 'cash' }) },
      { name: 'unknown plan', status: 400, message: 'plan must be one of basic, pro, enterprise', send: () => pay(userId, newKey(), { ...VALID, plan: 'gold' }) },
      { name: 'extra field', status: 400, message: 'property coupon should not exist', send: () => pay(userId, newKey(), { ...VALID, coupon: 'FREE' }) },
      {
        name: 'malformed JSON',
        status: 400,
        message: 'JSON',
        send: () => call('POST', '/payments', { headers: { 'x-user-id': userId, 'idempotency-key': newKey() }, rawBody: '{"amount": "49.99",' }),
      },
      {
        name: 'no body at all',
        status: 400,
        message: 'amount must be',
        send: () => call('POST', '/payments', { headers: { 'x-user-id': userId, 'idempotency-key': newKey() } }),
      },
      { name: 'JSON null as body', status: 400, message: 'amount must be', send: () => pay(userId, newKey(), null) },
      {
        name: 'a text/plain body',
        status: 415,
        message: 'Unsupported Media Type',
        send: () => call('POST', '/payments', { headers: { 'x-user-id': userId, 'idempotency-key': newKey(), 'content-type': 'text/plain' }, rawBody: 'amount=49.99' }),
      },
      { name: 'a JSON array as body', status: 400, message: 'amount must be', send: () => pay(userId, newKey(), [VALID]) },
      { name: 'missing x-user-id', status: 401, message: 'requests must come through api-gateway', send: () => call('POST', '/payments', { headers: { 'idempotency-key': newKey() }, body: VALID }) },
      { name: 'x-user-id that is not a UUID', status: 401, message: 'requests must come through api-gateway', send: () => pay('user-1', newKey()) },
    ];

    it.each(cases)('$name → $status', async ({ status, message, send }) => {
      const countsBefore = [await count('payments'), await count('idempotency_keys'), await count('ledger_entries'), await count('outbox')];
      const callsBefore = providers.provider('primary').chargeCalls;

      const response = await send();

      expect({ status: response.status, message: response.body.message }).toEqual({ status, message: expect.stringContaining(message) });
      expect(response.body.request_id).toEqual(expect.any(String));
      expect([await count('payments'), await count('idempotency_keys'), await count('ledger_entries'), await count('outbox')]).toEqual(countsBefore);
      expect(providers.provider('primary').chargeCalls).toBe(callsBefore);
    });
  });

  describe('GET /payments and /payments/:paymentId', () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const alicePayments: string[] = [];
    let bobPayment: string;

    beforeAll(async () => {
      for (const amount of ['1.00', '2.00', '3.00']) {
        const response = await pay(alice, newKey(), { ...VALID, amount });
        alicePayments.push(response.body.paymentId as string);
      }
      bobPayment = (await pay(bob, newKey(), VALID)).body.paymentId as string;
    });

    it('lists only the caller\'s payments, newest first, honouring limit', async () => {
      const all = await call('GET', '/payments', { headers: { 'x-user-id': alice } });
      expect(all.status).toBe(200);
      const payments = all.body.payments as Array<Record<string, unknown>>;
      expect(payments.map((payment) => payment.paymentId)).toEqual([...alicePayments].reverse());
      expect(payments.map((payment) => payment.amount)).toEqual(['3.00', '2.00', '1.00']);

      const limited = await call('GET', '/payments?limit=2', { headers: { 'x-user-id': alice } });
      expect((limited.body.payments as unknown[]).length).toBe(2);
    });

    it('returns the caller\'s own payment and 404 for someone else\'s or an unknown one', async () => {
      const own = await call('GET', `/payments/${bobPayment}`, { headers: { 'x-user-id': bob } });
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ paymentId: bobPayment, status: 'succeeded' });

      const foreign = await call('GET', `/payments/${bobPayment}`, { headers: { 'x-user-id': alice } });
      expect(foreign.status).toBe(404);
      expect(foreign.body.message).toBe(`payment ${bobPayment} not found`);

      const unknown = await call('GET', `/payments/${randomUUID()}`, { headers: { 'x-user-id': alice } });
      expect(unknown.status).toBe(404);
    });

    it.each([
      ['/payments/not-a-uuid', 'paymentId must be a UUID'],
      ['/payments?limit=0', 'limit must be a whole number from 1 to 100'],
      ['/payments?limit=101', 'limit must be a whole number from 1 to 100'],
      ['/payments?limit=abc', 'limit must be a whole number from 1 to 100'],
      ['/payments?limit=1.5', 'limit must be a whole number from 1 to 100'],
      ['/payments?page=2', 'property page should not exist'],
    ])('GET %s → 400 "%s"', async (path, message) => {
      const response = await call('GET', path, { headers: { 'x-user-id': alice } });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(message);
    });

    it('answers 401 without a valid x-user-id', async () => {
      expect((await call('GET', '/payments')).status).toBe(401);
      expect((await call('GET', `/payments/${bobPayment}`, { headers: { 'x-user-id': 'nope' } })).status).toBe(401);
    });
  });

  describe('GET /payments/ledger/balances', () => {
    it('is for operators only: 403 for a user, 401 without x-user-id', async () => {
      const asUser = await call('GET', '/payments/ledger/balances', { headers: { 'x-user-id': randomUUID(), 'x-user-role': 'user' } });
      expect(asUser.status).toBe(403);
      expect(asUser.body.message).toContain('operators only');
      const anonymous = await call('GET', '/payments/ledger/balances', { headers: { 'x-user-role': 'operator' } });
      expect(anonymous.status).toBe(401);
    });

    it('sums debits and credits per account and currency, equal to the ledger lines in the database, and balanced', async () => {
      expect((await pay(randomUUID(), newKey(), { amount: '0.01', currency: 'USD', method: 'card', plan: 'basic' })).status).toBe(201);

      const response = await call('GET', '/payments/ledger/balances', { headers: { 'x-user-id': randomUUID(), 'x-user-role': 'operator' } });

      expect(response.status).toBe(200);
      const expected = await sql.query<{ currency: string; total: string }>(
        `SELECT currency, sum(amount)::text AS total FROM payment.ledger_lines WHERE direction = 'debit' GROUP BY currency ORDER BY currency`,
      );
      const currencies = response.body.currencies as Array<{ currency: string; debits: string; credits: string; balanced: boolean }>;
      expect(currencies).toEqual(expected.rows.map((row) => ({ currency: row.currency, debits: row.total, credits: row.total, balanced: true })));
      expect(response.body.balanced).toBe(true);
      const accounts = response.body.accounts as Array<{ account: string; currency: string; debits: string; credits: string; balance: string }>;
      const usdCash = accounts.find((account) => account.account === 'cash_at_provider' && account.currency === 'USD');
      const usdRevenue = accounts.find((account) => account.account === 'subscription_revenue' && account.currency === 'USD');
      const usdTotal = expected.rows.find((row) => row.currency === 'USD')!.total;
      expect(usdCash).toEqual({ account: 'cash_at_provider', currency: 'USD', debits: usdTotal, credits: '0.00', balance: usdTotal });
      expect(usdRevenue).toEqual({ account: 'subscription_revenue', currency: 'USD', debits: '0.00', credits: usdTotal, balance: `-${usdTotal}` });
    });

    it('refuses, at commit, a ledger entry whose debits and credits differ (deferred constraint trigger)', async () => {
      const id = randomUUID();
      await sql.query('BEGIN');
      try {
        await sql.query(
          `INSERT INTO payment.payments (id, user_id, idempotency_key, amount, currency, method, plan, status, provider, provider_reference)
           VALUES ($1, $2, $3, 1.00, 'USD', 'card', 'basic', 'succeeded', 'provider-a', 'ref')`,
          [id, randomUUID(), newKey()],
        );
        await sql.query('INSERT INTO payment.ledger_entries (id, payment_id, description) VALUES ($1, $1, $2)', [id, 'unbalanced']);
        await sql.query("INSERT INTO payment.ledger_lines (entry_id, account, direction, amount, currency) VALUES ($1, 'cash_at_provider', 'debit', 1.00, 'USD')", [id]);
        await expect(sql.query('COMMIT')).rejects.toThrow(/does not balance in USD/);
      } finally {
        await sql.query('ROLLBACK').catch(() => undefined);
      }
      expect(await count('ledger_entries', 'id = $1', [id])).toBe(0);
    });
  });

  describe('fault injection through /admin/faults', () => {
    const failoverLabels = { from: 'provider-a', to: 'provider-b' };
    const failureRates = () => ({ primary: providers.settings().primary.failureRate, backup: providers.settings().backup.failureRate });

    afterEach(async () => {
      expect((await faults('DELETE')).status).toBe(200);
    });

    it('lists payment-provider-errors (percent, 1 to 100) and payment-provider-down (a switch), inactive and exported as 0', async () => {
      const listed = await faults('GET');

      expect(listed.status).toBe(200);
      expect(listed.body).toEqual({
        service: 'payment',
        enabled: true,
        faults: [
          expect.objectContaining({ name: 'payment-provider-errors', parameter: { name: 'percent', unit: '%', min: 1, max: 100 }, active: false, value: null }),
          expect.objectContaining({ name: 'payment-provider-down', parameter: null, active: false, value: null }),
        ],
      });
      const metrics = await metricsText();
      expect(sampleValue(metrics, 'fault_injection_active', { fault: 'payment-provider-errors' })).toBe(0);
      expect(metrics).toMatch(/^fault_injection_active\{fault="payment-provider-down",service="payment"\} 0$/m);
    });

    it('payment-provider-errors at 100% fails every payment with 502 after a failover, and payments succeed on the primary again once it is cleared', async () => {
      const userId = randomUUID();
      const before = await metricsText();

      const activated = await faults('PUT', 'payment-provider-errors', { value: 100 });
      expect(activated.status).toBe(200);
      expect(activated.body).toMatchObject({ name: 'payment-provider-errors', active: true, value: 100 });
      const failed = await Promise.all([1, 2, 3].map(() => pay(userId, newKey())));

      expect(failed.map((response) => [response.status, response.body.status])).toEqual([
        [502, 'failed'],
        [502, 'failed'],
        [502, 'failed'],
      ]);
      const during = await metricsText();
      const delta = (name: string, labels: Record<string, string>) => sampleValue(during, name, labels) - sampleValue(before, name, labels);
      expect(delta('payment_provider_failovers_total', failoverLabels)).toBe(3);
      expect(delta('payments_total', { status: 'failed', provider: 'none' })).toBe(3);
      expect(sampleValue(during, 'fault_injection_active', { fault: 'payment-provider-errors' })).toBe(1);

      const cleared = await faults('DELETE', 'payment-provider-errors');
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ name: 'payment-provider-errors', active: false, value: null });
      expect(failureRates()).toEqual({ primary: 0, backup: 0 });
      const recovered = await pay(userId, newKey());
      expect(recovered.status).toBe(201);
      expect(recovered.body).toMatchObject({ status: 'succeeded', provider: 'provider-a' });
    });

    it('payment-provider-down fails every payment over to the backup, which still approves it', async () => {
      const before = await metricsText();

      expect((await faults('PUT', 'payment-provider-down', {})).status).toBe(200);
      const response = await pay(randomUUID(), newKey());

      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ status: 'succeeded', provider: 'provider-b' });
      const after = await metricsText();
      expect(sampleValue(after, 'payment_provider_failovers_total', failoverLabels) - sampleValue(before, 'payment_provider_failovers_total', failoverLabels)).toBe(1);
    });

    it('keeps each fault\'s effect when the other is cleared, and restores exactly the configured rates once both are', async () => {
      await faults('PUT', 'payment-provider-errors', { value: 50 });
      expect(failureRates()).toEqual({ primary: 0.5, backup: 0.5 });
      await faults('PUT', 'payment-provider-down', {});
      expect(failureRates()).toEqual({ primary: 1, backup: 0.5 });
      await faults('PUT', 'payment-provider-errors', { value: 100 });
      expect(failureRates()).toEqual({ primary: 1, backup: 1 });
      expect((await pay(randomUUID(), newKey())).status).toBe(502);

      await faults('DELETE', 'payment-provider-errors');
      expect(failureRates()).toEqual({ primary: 1, backup: 0 });
      expect((await pay(randomUUID(), newKey())).body).toMatchObject({ status: 'succeeded', provider: 'provider-b' });

      await faults('PUT', 'payment-provider-errors', { value: 25 });
      await faults('DELETE', 'payment-provider-down');
      expect(failureRates()).toEqual({ primary: 0.25, backup: 0.25 });
      await faults('DELETE', 'payment-provider-errors');
      expect(failureRates()).toEqual({ primary: 0, backup: 0 });
    });

    it('answers 400 saying what is allowed for a percentage out of range', async () => {
      const response = await faults('PUT', 'payment-provider-errors', { value: 150 });
      expect(response.status).toBe(400);
      expect(response.body.message).toBe('value must be a number from 1 to 100 (%); got 150');
      expect(failureRates()).toEqual({ primary: 0, backup: 0 });
    });
  });

  it('exports /metrics that pass promtool check metrics, with the four payment metrics present', async () => {
    const text = await metricsText();

    expect(promtoolCheckMetrics(text)).toEqual({ exitCode: 0, output: '' });
    for (const name of ['payments_total', 'payment_revenue_total', 'payment_processing_duration_seconds', 'payment_provider_failovers_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/^payment_processing_duration_seconds_bucket\{[^}]*le="0.01"[^}]*\}/m);
    expect(text).toMatch(/^payment_processing_duration_seconds_bucket\{[^}]*le="10"[^}]*\}/m);
  });
});
