import { createHash, randomUUID } from 'node:crypto';
import type { INestApplication, Type } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
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

// audit in-process against the real PostgreSQL and RabbitMQ, with a database and exchange of its own.
const OPERATOR = { 'x-user-id': randomUUID(), 'x-user-role': 'operator' };
const GENESIS = '0'.repeat(64);

interface LogRow {
  sequence: string;
  event_id: string;
  event_type: string;
  payload_canonical: string;
  occurred_at: Date;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}

/** The documented hash, computed independently of the service's code. */
function expectedHash(row: LogRow): string {
  const text = [row.prev_hash, row.sequence, row.event_id, row.event_type, row.payload_canonical, row.recorded_at.toISOString()].join('\n');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

describe('audit (real PostgreSQL and RabbitMQ)', () => {
  const env = new TestEnv();
  let database: TestDatabase;
  let rabbit: TestRabbitNamespace;
  let AppModule: Type<unknown>;
  let app: INestApplication;
  let secondApp: INestApplication | undefined;
  let sql: Client;
  let publisher: EventPublisher;

  const http = () => request(app.getHttpServer());

  /** Publishes with the AMQP timestamp set, as the services' outboxes do: audit records it. */
  function publish(routingKey: string, payload: unknown, messageId?: string): Promise<string> {
    return publisher.publish(routingKey, payload, messageId, { timestamp: Math.floor(Date.now() / 1000) });
  }

  async function rows(): Promise<LogRow[]> {
    return (await sql.query<LogRow>('SELECT * FROM audit_log ORDER BY sequence')).rows;
  }

  async function count(): Promise<number> {
    return Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n);
  }

  async function waitForEvent(eventId: string): Promise<LogRow> {
    return waitFor(`event ${eventId} in audit_log`, async () => (await sql.query<LogRow>('SELECT * FROM audit_log WHERE event_id = $1', [eventId])).rows[0]);
  }

  function metrics(instance: INestApplication = app): Promise<string> {
    return scrapeMetrics(instance);
  }

  async function verify(): Promise<{ valid: boolean; checkedEvents: number; lastSequence: number; lastHash: string; firstInvalid: null | { sequence: number; reason: string } }> {
    const response = await http().get('/audit/verify').set(OPERATOR);
    expect(response.status).toBe(200);
    return response.body;
  }

  /** Runs `statements` as a privileged attacker: triggers off for this connection only. */
  async function tamper(statements: string[], params: unknown[][] = []): Promise<void> {
    const attacker = new Client({ connectionString: database.url, options: '-c search_path=audit' });
    await attacker.connect();
    try {
      await attacker.query('SET session_replication_role = replica');
      for (const [index, statement] of statements.entries()) await attacker.query(statement, params[index] ?? []);
    } finally {
      await attacker.end();
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase('audit');
    rabbit = createRabbitNamespace('audit');
    env.set({ ...serviceEnv(database, rabbit), AUDIT_VERIFY_BATCH_SIZE: '50' });
    ({ AppModule } = await import('../src/app.module'));
    app = await startNestApp(AppModule);
    sql = new Client({ connectionString: database.url, options: '-c search_path=audit' });
    await sql.connect();
    publisher = await openEventPublisher(rabbit.exchange);
  });

  afterAll(async () => {
    await secondApp?.close();
    await app?.close();
    await sql?.end();
    await publisher?.close();
    await rabbit?.cleanup(['audit.events']);
    await database?.drop();
    env.restore();
  });

  it('chains events of several types in delivery order, storing canonical JSON and the documented SHA-256 hash', async () => {
    const userId = randomUUID();
    const events: Array<[string, Record<string, unknown>]> = [
      ['user.registered', { userId, email: 'ada@example.com', registeredAt: '2026-01-02T03:04:05.000Z' }],
      ['payment.succeeded', { userId, paymentId: randomUUID(), amount: '49.99', currency: 'USD', method: 'card', provider: 'stripe', plan: 'pro', occurredAt: '2026-01-02T03:05:00.000Z' }],
      ['order.placed', { orderId: randomUUID(), userId, symbol: 'AAPL', side: 'buy', type: 'market', quantity: '2', status: 'open', occurredAt: '2026-01-02T03:06:00.000Z' }],
      ['trade.executed', { tradeId: randomUUID(), userId, symbol: 'AAPL', price: '189.50', executedAt: '2026-01-02T03:06:01.000Z' }],
      ['signal.generated', { signalId: randomUUID(), symbol: 'MSFT', direction: 'up', confidence: 0.7, nested: { z: 1, a: [{ y: 2, b: 3 }] }, generatedAt: '2026-01-02T03:07:00.000Z' }],
      ['notification.sent', { notificationId: randomUUID(), channel: 'email', recipient: 'ada@example.com', subject: 'Welcome', occurredAt: '2026-01-02T03:08:00.000Z' }],
    ];
    const ids: string[] = [];
    for (const [key, payload] of events) ids.push(await publish(key, payload));
    await waitForEvent(ids[ids.length - 1]!);

    const log = await rows();
    expect(log.map((row) => row.event_id)).toEqual(ids);
    expect(log.map((row) => row.event_type)).toEqual(events.map(([key]) => key));
    expect(log.map((row) => Number(row.sequence))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log[0]!.prev_hash).toBe(GENESIS);
    for (const [index, row] of log.entries()) {
      expect(row.hash).toBe(expectedHash(row));
      if (index > 0) expect(row.prev_hash).toBe(log[index - 1]!.hash);
    }
    // Keys sorted at every depth, no whitespace; occurred_at from the payload's own time field.
    expect(log[4]!.payload_canonical).toBe(
      `{"confidence":0.7,"direction":"up","generatedAt":"2026-01-02T03:07:00.000Z","nested":{"a":[{"b":3,"y":2}],"z":1},"signalId":"${events[4]![1].signalId}","symbol":"MSFT"}`,
    );
    expect(log[0]!.occurred_at.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(log[3]!.occurred_at.toISOString()).toBe('2026-01-02T03:06:01.000Z');

    const head = (await sql.query<{ last_sequence: string; last_hash: string }>('SELECT last_sequence, last_hash FROM audit_chain_head')).rows[0]!;
    expect(head).toEqual({ last_sequence: '6', last_hash: log[5]!.hash });
  });

  it('records a message published twice with the same message id once', async () => {
    const duplicateId = randomUUID();
    await publish('payment.failed', { paymentId: randomUUID(), userId: randomUUID(), amount: '5.00', currency: 'USD', reason: 'declined' }, duplicateId);
    await publish('payment.failed', { paymentId: randomUUID(), userId: randomUUID(), amount: '6.00', currency: 'USD', reason: 'declined again' }, duplicateId);
    const marker = await publish('user.locked', { userId: randomUUID(), email: 'x@example.com', ipAddress: '10.0.0.1', failedAttempts: 5, lockedUntil: '2026-01-01T00:00:00.000Z' });
    await waitForEvent(marker);

    const copies = (await sql.query<LogRow>('SELECT * FROM audit_log WHERE event_id = $1', [duplicateId])).rows;
    expect(copies).toHaveLength(1);
    expect(JSON.parse(copies[0]!.payload_canonical)).toMatchObject({ amount: '5.00' });
  });

  it('reports the untouched chain valid, with the head as last sequence and hash, and counts the verification', async () => {
    const before = sampleValue(await metrics(), 'audit_chain_verifications_total', { result: 'valid' });
    const log = await rows();

    const report = await verify();

    expect(report).toEqual({ valid: true, checkedEvents: log.length, lastSequence: log.length, lastHash: log[log.length - 1]!.hash, firstInvalid: null });
    expect(sampleValue(await metrics(), 'audit_chain_verifications_total', { result: 'valid' })).toBe(before + 1);
  });

  it('lists events in sequence order with parsed payloads, paged by limit and afterSequence', async () => {
    const all = await rows();
    const first = await http().get('/audit/events?limit=3').set(OPERATOR);
    expect(first.status).toBe(200);
    expect(first.body.events.map((event: { sequence: number }) => event.sequence)).toEqual([1, 2, 3]);
    expect(first.body.events[0]).toEqual({
      sequence: 1,
      eventId: all[0]!.event_id,
      eventType: 'user.registered',
      payload: JSON.parse(all[0]!.payload_canonical),
      occurredAt: all[0]!.occurred_at.toISOString(),
      recordedAt: all[0]!.recorded_at.toISOString(),
      prevHash: GENESIS,
      hash: all[0]!.hash,
    });
    expect(first.body.nextAfterSequence).toBe(3);

    const next = await http().get('/audit/events?limit=2&afterSequence=3').set(OPERATOR);
    expect(next.body.events.map((event: { sequence: number }) => event.sequence)).toEqual([4, 5]);

    const rest = await http().get('/audit/events').set(OPERATOR);
    expect(rest.body.events).toHaveLength(all.length);
    expect(rest.body.nextAfterSequence).toBeNull();
  });

  it.each([
    ['limit=0', 'limit must be a whole number from 1 to 500'],
    ['limit=501', 'limit must be a whole number from 1 to 500'],
    ['limit=abc', 'limit must be a whole number from 1 to 500'],
    ['afterSequence=-1', 'afterSequence must be a whole number, 0 or more'],
    ['afterSequence=1.5', 'afterSequence must be a whole number, 0 or more'],
    // Past bigint's range: PostgreSQL refused the query, which answered 500.
    ['afterSequence=1e20', 'afterSequence must be at most 9007199254740991'],
    ['afterSequence=9007199254740992', 'afterSequence must be at most 9007199254740991'],
    ['colour=red', 'property colour should not exist'],
  ])('answers 400 for GET /audit/events?%s', async (query, message) => {
    const response = await http().get(`/audit/events?${query}`).set(OPERATOR);
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(message);
  });

  it.each([
    { label: 'no x-user-id', headers: { 'x-user-role': 'operator' }, status: 401 },
    { label: 'an x-user-id that is not a UUID', headers: { 'x-user-id': 'admin', 'x-user-role': 'operator' }, status: 401 },
    { label: 'role user', headers: { 'x-user-id': randomUUID(), 'x-user-role': 'user' }, status: 403 },
    { label: 'no role', headers: { 'x-user-id': randomUUID() }, status: 403 },
  ])('refuses a caller with $label on both endpoints with $status', async ({ headers, status }) => {
    for (const path of ['/audit/verify', '/audit/events']) {
      const response = await http().get(path).set(headers as Record<string, string>);
      expect({ path, status: response.status }).toEqual({ path, status });
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit_log through a normal connection (append-only trigger)', async () => {
    await expect(sql.query(`UPDATE audit_log SET payload_canonical = '{}' WHERE sequence = 1`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(sql.query('DELETE FROM audit_log WHERE sequence = 2')).rejects.toThrow(/append-only: DELETE/);
    await expect(sql.query('TRUNCATE audit_log')).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(sql.query('UPDATE audit_chain_head SET last_sequence = 1')).rejects.toThrow(/only advances one event at a time/);
    expect((await verify()).valid).toBe(true);
  });

  describe('tampering by a privileged attacker who bypasses the triggers', () => {
    afterEach(async () => {
      // Each case restores what it changed: the next one starts from a valid chain.
      expect((await verify()).valid).toBe(true);
    });

    it('detects an altered payload as a hash mismatch at its sequence', async () => {
      const original = (await rows())[2]!;
      const invalidBefore = sampleValue(await metrics(), 'audit_chain_verifications_total', { result: 'invalid' });
      await tamper([`UPDATE audit_log SET payload_canonical = $1 WHERE sequence = 3`], [[original.payload_canonical.replace('"2"', '"200"')]]);

      const report = await verify();

      expect(report.valid).toBe(false);
      expect(report.firstInvalid).toEqual({ sequence: 3, reason: expect.stringContaining('hash mismatch') });
      expect(report.lastSequence).toBe(2);
      expect(sampleValue(await metrics(), 'audit_chain_verifications_total', { result: 'invalid' })).toBe(invalidBefore + 1);
      await tamper([`UPDATE audit_log SET payload_canonical = $1 WHERE sequence = 3`], [[original.payload_canonical]]);
    });

    it('detects an altered payload whose hash was recomputed, at the next row, by its prev_hash', async () => {
      const original = (await rows())[1]!;
      const forged = { ...original, payload_canonical: original.payload_canonical.replace('49.99', '0.01') };
      await tamper([`UPDATE audit_log SET payload_canonical = $1, hash = $2 WHERE sequence = 2`], [[forged.payload_canonical, expectedHash(forged)]]);

      expect((await verify()).firstInvalid).toEqual({ sequence: 3, reason: expect.stringContaining('prev_hash') });
      await tamper([`UPDATE audit_log SET payload_canonical = $1, hash = $2 WHERE sequence = 2`], [[original.payload_canonical, original.hash]]);
    });

    it('detects a deleted row as a gap at the missing sequence', async () => {
      const original = (await rows())[3]!;
      await tamper(['DELETE FROM audit_log WHERE sequence = 4']);

      const report = await verify();

      expect(report.valid).toBe(false);
      expect(report.firstInvalid).toEqual({ sequence: 4, reason: expect.stringContaining('sequence 4 is missing') });
      await tamper(
        ['INSERT INTO audit_log (sequence, event_id, event_type, payload_canonical, occurred_at, recorded_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)'],
        [[original.sequence, original.event_id, original.event_type, original.payload_canonical, original.occurred_at, original.recorded_at, original.prev_hash, original.hash]],
      );
    });

    it('detects two rows whose sequences were swapped at the first of them', async () => {
      await tamper([
        'UPDATE audit_log SET sequence = 1000000 WHERE sequence = 2',
        'UPDATE audit_log SET sequence = 2 WHERE sequence = 5',
        'UPDATE audit_log SET sequence = 5 WHERE sequence = 1000000',
      ]);

      const report = await verify();

      expect(report.valid).toBe(false);
      expect(report.firstInvalid?.sequence).toBe(2);
      await tamper([
        'UPDATE audit_log SET sequence = 1000000 WHERE sequence = 2',
        'UPDATE audit_log SET sequence = 2 WHERE sequence = 5',
        'UPDATE audit_log SET sequence = 5 WHERE sequence = 1000000',
      ]);
    });

    it('detects an altered prev_hash at its row', async () => {
      const original = (await rows())[5]!;
      await tamper([`UPDATE audit_log SET prev_hash = $1 WHERE sequence = 6`], [['f'.repeat(64)]]);

      expect((await verify()).firstInvalid).toEqual({ sequence: 6, reason: expect.stringContaining('prev_hash') });
      await tamper([`UPDATE audit_log SET prev_hash = $1 WHERE sequence = 6`], [[original.prev_hash]]);
    });

    it('detects a deleted last row by the head that no longer matches', async () => {
      const log = await rows();
      const last = log[log.length - 1]!;
      await tamper(['DELETE FROM audit_log WHERE sequence = $1'], [[last.sequence]]);

      const report = await verify();

      expect(report.valid).toBe(false);
      expect(report.firstInvalid).toEqual({ sequence: Number(last.sequence), reason: expect.stringContaining('head mismatch') });
      expect(report.checkedEvents).toBe(log.length - 1);
      await tamper(
        ['INSERT INTO audit_log (sequence, event_id, event_type, payload_canonical, occurred_at, recorded_at, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)'],
        [[last.sequence, last.event_id, last.event_type, last.payload_canonical, last.occurred_at, last.recorded_at, last.prev_hash, last.hash]],
      );
    });

    it('detects a head moved past the last row', async () => {
      const head = (await sql.query<{ last_sequence: string; last_hash: string }>('SELECT last_sequence, last_hash FROM audit_chain_head')).rows[0]!;
      await tamper(['UPDATE audit_chain_head SET last_sequence = last_sequence + 1']);

      expect((await verify()).firstInvalid).toEqual({ sequence: Number(head.last_sequence) + 1, reason: expect.stringContaining('head mismatch') });
      await tamper(['UPDATE audit_chain_head SET last_sequence = $1'], [[head.last_sequence]]);
    });
  });

  it('forms one valid chain from 200 events consumed by two instances on the same database and queue', async () => {
    secondApp = await startNestApp(AppModule);
    const before = await count();
    const recordedBefore = [sampleValue(await metrics(app), 'audit_events_recorded_total'), sampleValue(await metrics(secondApp), 'audit_events_recorded_total')];

    // All 200 go out before any confirmation is awaited; transient and without a timestamp.
    await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        publisher.publish(index % 2 ? 'order.placed' : 'trade.executed', { index }, `burst-${index}-${randomUUID()}`, { persistent: false }),
      ),
    );
    await waitFor('200 more rows in audit_log', async () => ((await count()) === before + 200 ? true : undefined), 20_000);

    const recordedBy = [
      sampleValue(await metrics(app), 'audit_events_recorded_total') - recordedBefore[0]!,
      sampleValue(await metrics(secondApp), 'audit_events_recorded_total') - recordedBefore[1]!,
    ];
    expect(recordedBy[0]! + recordedBy[1]!).toBe(200);
    expect(recordedBy.every((n) => n > 0)).toBe(true);
    const sequences = (await rows()).map((row) => Number(row.sequence));
    expect(sequences).toEqual(Array.from({ length: before + 200 }, (_, index) => index + 1));
    expect(await verify()).toMatchObject({ valid: true, checkedEvents: before + 200, lastSequence: before + 200, firstInvalid: null });
  });

  it('exports the audit metrics with exact values, and /metrics passes promtool', async () => {
    await waitFor('audit_chain_length to reach the head', async () => {
      const body = await metrics();
      return sampleValue(body, 'audit_chain_length') + sampleValue(await metrics(secondApp), 'audit_chain_length') > 0 ? body : undefined;
    });
    const total = await count();
    const body = await metrics();
    const byType = (await sql.query<{ event_type: string; n: string }>('SELECT event_type, count(*) AS n FROM audit_log GROUP BY event_type')).rows;
    // This instance recorded every event before the second one started, and some of the burst.
    expect(sampleValue(body, 'audit_events_recorded_total', { event_type: 'user.registered' })).toBe(Number(byType.find((row) => row.event_type === 'user.registered')!.n));
    expect(sampleValue(body, 'audit_events_recorded_total', { event_type: 'signal.generated' })).toBe(1);
    expect(sampleValue(body, 'audit_events_recorded_total', { event_type: 'payment.failed' })).toBe(1);
    expect(body).toMatch(/^audit_chain_length\{service="audit"\} \d+/m);
    expect(sampleValue(body, 'audit_chain_length')).toBeLessThanOrEqual(total);
    const lastRecorded = (await sql.query<{ t: Date }>('SELECT max(recorded_at) AS t FROM audit_log')).rows[0]!.t;
    expect(Math.max(sampleValue(body, 'audit_last_event_timestamp_seconds'), sampleValue(await metrics(secondApp), 'audit_last_event_timestamp_seconds'))).toBe(lastRecorded.getTime() / 1000);
    expect(body).toMatch(/^# TYPE audit_chain_verifications_total counter/m);

    const check = promtoolCheckMetrics(body);
    expect({ exitCode: check.exitCode, output: check.output }).toEqual({ exitCode: 0, output: '' });
  });
});
