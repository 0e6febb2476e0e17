import { ACCESS_TOKEN } from '@ai-finance/contracts';
import { Platform } from '@ai-finance/testing';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Client } from 'pg';
import { ROUTES, type GatewayRoute } from '../../../apps/api-gateway/src/routes/route-table';

/*
 * Every public endpoint of the route table, fed random and malformed requests through api-gateway with
 * all ten services running. What must hold for any input: no 5xx (every dependency is up, so a 5xx
 * can only be a crash on input), every 4xx in the shared error shape, input known to be invalid never
 * accepted, and nothing written by a request that was refused.
 *
 * FUZZ_SEED and FUZZ_RUNS override the fixed seed and the number of requests (FUZZ_VERBOSE=1 prints
 * the statuses seen); fast-check prints the seed and the shrunk request of a failure.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_607);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_500);

/** The nesting limit of the shared JSON body parser (libs/observability, MAX_JSON_DEPTH). */
const MAX_JSON_DEPTH = 32;

const PROTOTYPE_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'toLocaleString', '__proto__', 'prototype'];

const PASSWORD = 'correct horse battery staple';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** node:http, not fetch: fetch refuses some of the headers under test (Expect) and normalizes paths. */
function send(baseUrl: string, request: HostileRequest): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: hostname,
        port,
        method: request.method,
        path: request.path,
        headers: { ...request.headers, ...(request.body ? { 'content-length': String(request.body.length) } : {}) },
        agent: false,
        timeout: 15_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('no answer within 15 s')));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

const describeRequest = (request: HostileRequest): string => {
  const body = request.body === undefined ? '' : ` body(${request.body.length} B)=${JSON.stringify(request.body.subarray(0, 300).toString('latin1'))}`;
  return `${request.method} ${request.path.slice(0, 300)} headers=${JSON.stringify(request.headers).slice(0, 600)}${body}`;
};

/** Iterative, as the values may be thousands deep: whether the parser must refuse this JSON value. */
function refusedByParser(value: unknown): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current === 'string') {
      if (/\p{Cs}/u.test(current)) return true;
    } else if (current !== null && typeof current === 'object') {
      if (depth >= MAX_JSON_DEPTH) return true;
      for (const [key, item] of Object.entries(current)) {
        if (/\p{Cs}/u.test(key)) return true;
        pending.push([item, depth + 1]);
      }
    }
  }
  return false;
}

type Auth = 'route' | 'none' | 'garbage' | 'expired' | 'foreign-key' | 'user-on-operator-route';

/** What the fuzz may send to one endpoint: a valid request to start from, and whether it validates its query. */
interface EndpointSeed {
  body?: () => Record<string, unknown>;
  query?: Record<string, string>;
  params?: Record<string, () => string>;
  headers?: () => Record<string, string>;
  /** Unknown query parameters are refused (a query DTO); other endpoints ignore the query. */
  validatesQuery?: boolean;
}

describe('hostile input through api-gateway, all ten services running', () => {
  const platform = new Platform({
    env: {
      // The fuzz sends ~1,000 requests a minute from one address as one user; the limits are not under test.
      'api-gateway': { RATE_LIMIT_AUTH_PER_IP: '1000000', RATE_LIMIT_PER_IP: '1000000', RATE_LIMIT_PER_USER: '1000000' },
    },
  });
  const email = `hostile-${randomUUID()}@example.com`;
  let userId = '';
  let tokens: { user: string; operator: string; expired: string; foreign: string };
  let paymentId = '';
  let openOrderId = '';
  let sql: Client;
  let serial = 0;

  const token = (role: 'user' | 'operator', options: { secret?: string; expiresIn?: number } = {}) =>
    jwt.sign({ role, sid: randomUUID() }, options.secret ?? platform.jwtSecret, {
      algorithm: ACCESS_TOKEN.algorithm,
      subject: userId,
      issuer: ACCESS_TOKEN.issuer,
      audience: ACCESS_TOKEN.audience,
      expiresIn: options.expiresIn ?? 900,
    });

  const call = (request: HostileRequest) => send(platform.gateway.url, request);
  const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    call({ method, path, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(JSON.stringify(body)) });
  const asUser = () => ({ authorization: `Bearer ${tokens.user}` });
  const asOperator = () => ({ authorization: `Bearer ${tokens.operator}` });
  const parsed = (answer: Answer) => JSON.parse(answer.text) as Record<string, unknown>;

  const SEEDS: Record<string, EndpointSeed> = {
    'POST /api/users/register': { body: () => ({ email: `fuzz-${serial++}-${randomUUID()}@example.com`, password: PASSWORD, phone: '+15550001111' }) },
    // The fuzzing user's own credentials: wrong passwords among the mutations lock the account (423),
    // which the fuzz tolerates as any 4xx; its own requests use signed tokens, which a lock does not stop.
    'POST /api/users/login': { body: () => ({ email, password: PASSWORD }) },
    'POST /api/users/refresh': { body: () => ({ refreshToken: randomBytes(32).toString('base64url') }) },
    'POST /api/users/logout': { body: () => ({ refreshToken: randomBytes(32).toString('base64url') }) },
    'GET /api/users/me': {},
    'GET /api/market/quotes': {},
    'GET /api/market/quotes/:symbol': { params: { symbol: () => 'AAPL' } },
    'POST /api/payments': {
      body: () => ({ amount: '1.00', currency: 'USD', method: 'card', plan: 'basic' }),
      headers: () => ({ 'idempotency-key': `fuzz-${serial++}-${randomBytes(6).toString('hex')}` }),
    },
    'GET /api/payments': { query: { limit: '10' }, validatesQuery: true },
    'GET /api/payments/ledger/balances': {},
    'GET /api/payments/:paymentId': { params: { paymentId: () => paymentId } },
    'POST /api/trading/orders': { body: () => ({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1' }) },
    'GET /api/trading/orders': { query: { status: 'open', limit: '10' }, validatesQuery: true },
    'GET /api/trading/orders/:orderId': { params: { orderId: () => openOrderId } },
    'DELETE /api/trading/orders/:orderId': { params: { orderId: () => randomUUID() } },
    'GET /api/trading/trades': { query: { limit: '5' }, validatesQuery: true },
    'GET /api/portfolio': {},
    'GET /api/portfolio/positions/:symbol': { params: { symbol: () => 'AAPL' } },
    'GET /api/signals': { query: { symbol: 'AAPL', limit: '5' }, validatesQuery: true },
    'GET /api/signals/accuracy': { query: { window: '24h' }, validatesQuery: true },
    'GET /api/risk/limits': {},
    'GET /api/notifications': { query: { limit: '5' }, validatesQuery: true },
    'GET /api/audit/verify': {},
    'GET /api/audit/events': { query: { limit: '5', afterSequence: '0' }, validatesQuery: true },
  };
  const seedOf = (route: GatewayRoute): EndpointSeed => SEEDS[`${route.method} ${route.path}`]!;

  /** What the database holds for the fuzzing user, and the platform-wide counts requests add to. */
  async function written() {
    const ids = async (query: string) => new Set((await sql.query<{ id: string }>(query, [userId])).rows.map((row) => row.id));
    const count = async (query: string, values: unknown[] = [userId]) => Number((await sql.query<{ n: string }>(query, values)).rows[0]!.n);
    return {
      payments: await ids('SELECT id FROM payment.payments WHERE user_id = $1'),
      idempotencyKeys: await count('SELECT count(*) AS n FROM payment.idempotency_keys WHERE user_id = $1'),
      ledgerEntries: await count('SELECT count(*) AS n FROM payment.ledger_entries e JOIN payment.payments p ON p.id = e.payment_id WHERE p.user_id = $1'),
      orders: await ids('SELECT id FROM trading.orders WHERE user_id = $1'),
      riskChecks: await count('SELECT count(*) AS n FROM risk.risk_checks WHERE user_id = $1'),
      users: await count('SELECT count(*) AS n FROM user_management.users', []),
      sessions: await count('SELECT count(*) AS n FROM user_management.sessions', []),
    };
  }
  let before: Awaited<ReturnType<typeof written>>;

  /** What accepted requests may have written: tracked from every answer the fuzz got. */
  const accepted = { payments: new Map<string, string>(), orders: new Set<string>(), registrations: 0, logins: 0 };
  function track(route: GatewayRoute, answer: Answer): void {
    if (route.method !== 'POST' || answer.status >= 500) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(answer.text) as Record<string, unknown>;
    } catch {
      return;
    }
    const ok = answer.status >= 200 && answer.status < 300;
    if (route.path === '/api/payments' && typeof body.paymentId === 'string') accepted.payments.set(body.paymentId, String(body.status));
    // Risk's refusal (422) records the order as rejected, by design, and names it.
    if (route.path === '/api/trading/orders' && typeof body.orderId === 'string') accepted.orders.add(body.orderId);
    if (route.path === '/api/users/register' && ok) accepted.registrations += 1;
    if (route.path === '/api/users/login' && ok) accepted.logins += 1;
  }

  beforeAll(async () => {
    await platform.start();
    await platform.waitUntilReady(60_000);
    sql = new Client({ connectionString: platform.databaseUrl });
    await sql.connect();

    const registered = await json('POST', '/api/users/register', { email, password: PASSWORD });
    expect(registered.status).toBe(201);
    userId = String(parsed(registered).userId);
    const login = await json('POST', '/api/users/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    tokens = { user: token('user'), operator: token('operator'), expired: token('user', { expiresIn: -60 }), foreign: token('user', { secret: randomBytes(32).toString('hex') }) };

    // A real payment and a real open order, so that path parameters sometimes name something that exists.
    const payment = await json('POST', '/api/payments', { amount: '2.00', currency: 'USD', method: 'card', plan: 'pro' }, { ...asUser(), 'idempotency-key': 'hostile-setup-1' });
    expect(payment.status).toBe(201);
    paymentId = String(parsed(payment).paymentId);
    const order = await json('POST', '/api/trading/orders', { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '1', limitPrice: '1.00' }, asUser());
    expect(order.status).toBe(201);
    openOrderId = String(parsed(order).orderId);
    before = await written();
  }, 180_000);

  afterAll(async () => {
    await sql?.end();
    await platform.stop();
  }, 60_000);

  /** The properties every answer must have; returns a description of what is wrong, or undefined. */
  function problemWith(answer: Answer, mustRefuse: string | undefined, method = 'GET'): string | undefined {
    if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 500)}`;
    if (mustRefuse && answer.status < 300) return `accepted (${answer.status}) input that must be refused (${mustRefuse}): ${answer.text.slice(0, 300)}`;
    if (/^# (HELP|TYPE) |"status":"(ready|alive|not_ready)"/m.test(answer.text)) return `reached an internal endpoint: ${answer.text.slice(0, 300)}`;
    if (answer.status >= 400 && method !== 'HEAD') {
      // Decision: every 4xx is JSON with the status, a phrase and a non-empty message, as docs/api.md
      // promises. The platform's own answers add request_id; Node's few answers before any request
      // exists (a header block too large, a malformed request line) cannot, so it is not required.
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(answer.text) as Record<string, unknown>;
      } catch {
        return `answered ${answer.status} with a body that is not JSON: ${JSON.stringify(answer.text.slice(0, 300))}`;
      }
      if (body.statusCode !== answer.status || typeof body.error !== 'string' || typeof body.message !== 'string' || body.message.length === 0) {
        return `answered ${answer.status} without the error shape: ${answer.text.slice(0, 300)}`;
      }
    }
    return undefined;
  }

  describe('the malformed inputs a survey found answering 5xx or being accepted', () => {
    const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
    const raw = (method: string, path: string, body: string, headers: Record<string, string> = {}) =>
      call({ method, path, headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(body) });
    const payment = { amount: '1.00', currency: 'USD', method: 'card', plan: 'basic' };
    const cases: Array<[string, number, () => Promise<Answer>]> = [
      ['3,500 levels of nesting in a payment (class-transformer overflowed the stack)', 400, () => raw('POST', '/api/payments', `{"amount":${deep(3_500)}}`, { ...asUser(), 'idempotency-key': 'hostile-deep-1' })],
      ['6,000 levels of nesting (the gateway’s own JSON.stringify overflowed)', 400, () => raw('POST', '/api/payments', `{"amount":${deep(6_000)}}`, { ...asUser(), 'idempotency-key': 'hostile-deep-2' })],
      ['a lone surrogate in the email to register (isEmail threw)', 400, () => raw('POST', '/api/users/register', `{"email":"\\ud800@b.co","password":"${PASSWORD}"}`)],
      ['a lone surrogate in the email to log in', 400, () => raw('POST', '/api/users/login', '{"email":"\\ud800@b.co","password":"x"}')],
      ['Expect: 100-continue on a public read (undici refused it: 502)', 200, () => call({ method: 'GET', path: '/api/market/quotes/AAPL', headers: { expect: '100-continue' } })],
      ['Expect: 100-continue on a payment', 201, () => json('POST', '/api/payments', payment, { ...asUser(), 'idempotency-key': 'hostile-expect-1', expect: '100-continue' })],
      ['an expectation Node does not support (was a bare 417)', 417, () => call({ method: 'GET', path: '/api/market/quotes/AAPL', headers: { expect: 'something-else' } })],
      ['a payment sent as a JSON string (was forwarded as the object inside it and accepted)', 400, () => json('POST', '/api/payments', JSON.stringify(payment), { ...asUser(), 'idempotency-key': 'hostile-string-1' })],
      [
        'a payment as a form body (was accepted)',
        415,
        () => call({ method: 'POST', path: '/api/payments', headers: { ...asUser(), 'idempotency-key': 'hostile-form-1', 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('amount=1.00&currency=USD&method=card&plan=basic') }),
      ],
      ...['constructor', 'toString', 'hasOwnProperty', 'valueOf'].map((name): [string, number, () => Promise<Answer>] => [
        `a payment with a property named ${name} (was dropped silently)`,
        400,
        () => json('POST', '/api/payments', { ...payment, [name]: 1 }, { ...asUser(), 'idempotency-key': `hostile-proto-${name}` }),
      ]),
      ['query keys named hasOwnProperty and valueOf', 400, () => call({ method: 'GET', path: '/api/payments?hasOwnProperty=1&valueOf=2', headers: asUser() })],
      ['afterSequence=1e20 (overflowed bigint: 500)', 400, () => call({ method: 'GET', path: '/api/audit/events?afterSequence=1e20', headers: asOperator() })],
      ['the largest quantity and limit price an order may spell', 422, () => json('POST', '/api/trading/orders', { symbol: 'AAPL', side: 'buy', type: 'limit', quantity: '999999999999.99999999', limitPrice: '999999999999.99' }, asUser())],
      ['the largest quantity sold at market', 422, () => json('POST', '/api/trading/orders', { symbol: 'AAPL', side: 'sell', type: 'market', quantity: '999999999999.99999999' }, asUser())],
      ['a body over the 1 MiB limit', 413, () => raw('POST', '/api/payments', JSON.stringify({ ...payment, plan: 'x'.repeat(1_100_000) }), { ...asUser(), 'idempotency-key': 'hostile-large-1' })],
      ['a path that is not valid percent-encoding', 400, () => call({ method: 'GET', path: '/api/market/quotes/%E0%A4%A', headers: {} })],
      ['a path parameter over Fastify’s length limit', 414, () => call({ method: 'GET', path: `/api/market/quotes/${'A'.repeat(200)}`, headers: {} })],
    ];

    it.each(cases)('answers %s with %d', async (_label, status, request) => {
      const answer = await request();
      // Outside the fuzz, but the payments and orders they write count in its bookkeeping all the same.
      for (const route of ROUTES.filter((candidate) => candidate.method === 'POST' && ['/api/payments', '/api/trading/orders'].includes(candidate.path))) track(route, answer);
      expect({ status: answer.status, problem: problemWith(answer, undefined) }).toEqual({ status, problem: undefined });
      if (status >= 400) expect(parsed(answer).request_id).toEqual(expect.any(String));
    });
  });

  it('has a seed for every route of the route table, so the fuzz reaches them all', () => {
    expect(ROUTES.map((route) => `${route.method} ${route.path}`).filter((name) => !SEEDS[name])).toEqual([]);
  });

  describe('random requests to every route', () => {
    // A JSON literal to put where a field's value goes, and whether the parser must refuse the body for it.
    const hostileLiteral = fc.oneof(
      fc.constantFrom('1e999', '-1e999', '1e20', '-1', '0', '-0', '1.5', '123456789012345678901234567890', '9007199254740993', '1e-400', 'true', 'false', 'null', '[]', '{}', '""'),
      fc.constantFrom(
        '"1e20"', '"999999999999.99"', '"9999999999999.99"', '"999999999999.99999999"', '"0.00"', '"-1"', '" 1"', '"1,00"', '"Infinity"', '"NaN"', '"0x10"',
        '"1.999"', '"000001"', '"1e3"', '"\\u0000"', '"a\\nb"', '"AAPL\\u0000"', '"\\ud800"', '"\\udfff@b.co"', '"x\\ud83d"', '"\\ud83d\\ude00"',
      ),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.string({ unit: 'binary', maxLength: 40 }).map((text) => JSON.stringify(text)),
      fc.constantFrom(JSON.stringify('a'.repeat(10_000)), JSON.stringify('9'.repeat(400)), JSON.stringify(`${'x'.repeat(250)}@example.com`)),
      fc.integer({ min: MAX_JSON_DEPTH - 2, max: 6_000 }).map((levels) => '['.repeat(levels) + ']'.repeat(levels)),
      fc.integer({ min: MAX_JSON_DEPTH - 2, max: 400 }).map((levels) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels)),
    );

    type BodyPlan =
      | { kind: 'none' }
      | { kind: 'seed' }
      | { kind: 'replace-field'; field: number; literal: string }
      | { kind: 'add-property'; name: string; literal: string }
      | { kind: 'drop-field'; field: number }
      | { kind: 'json-string-of-seed' }
      | { kind: 'any-json'; literal: string }
      | { kind: 'bytes'; bytes: Uint8Array };

    const bodyPlan: fc.Arbitrary<BodyPlan> = fc.oneof(
      { arbitrary: fc.constant<BodyPlan>({ kind: 'none' }), weight: 1 },
      { arbitrary: fc.constant<BodyPlan>({ kind: 'seed' }), weight: 2 },
      { arbitrary: fc.record({ kind: fc.constant('replace-field' as const), field: fc.nat(5), literal: hostileLiteral }), weight: 6 },
      { arbitrary: fc.record({ kind: fc.constant('add-property' as const), name: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 12 })), literal: hostileLiteral }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('drop-field' as const), field: fc.nat(5) }), weight: 1 },
      { arbitrary: fc.constant<BodyPlan>({ kind: 'json-string-of-seed' }), weight: 1 },
      { arbitrary: fc.record({ kind: fc.constant('any-json' as const), literal: hostileLiteral }), weight: 2 },
      { arbitrary: fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 64 }) }), weight: 1 },
    );

    const contentType = fc.oneof(
      { arbitrary: fc.constant('application/json'), weight: 12 },
      {
        arbitrary: fc.constantFrom(
          'application/x-www-form-urlencoded',
          'text/plain',
          'multipart/form-data; boundary=xyz',
          'application/octet-stream',
          'application/xml',
          'application/vnd.api+json',
          'application/json; charset=latin1',
          'APPLICATION/JSON',
          'application/json, text/plain',
          'application/json;;;',
          '',
          '*/*',
        ),
        weight: 3,
      },
      { arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz/;=+-. '.split('')), maxLength: 30 }), weight: 1 },
    );

    const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 60 });
    const headerName = fc.stringMatching(/^[a-z][a-z0-9!#$%&'*+.^_`|~-]{0,20}$/).filter((name) => !['content-length', 'transfer-encoding', 'content-type', 'host', 'authorization'].includes(name));
    const extraHeader = fc.oneof(
      fc.constantFrom<[string, string]>(
        ['expect', '100-continue'],
        ['expect', 'something-else'],
        ['connection', 'close'],
        ['connection', 'keep-alive, x-hop'],
        ['connection', 'x-user-role, x-request-id'],
        ['x-hop', 'secret'],
        ['te', 'trailers'],
        ['upgrade', 'websocket'],
        ['proxy-connection', 'keep-alive'],
        ['keep-alive', 'timeout=5'],
        ['x-user-id', '00000000-0000-0000-0000-000000000000'],
        ['x-user-role', 'operator'],
        ['x-request-id', '"},{"level":"fatal'],
        ['x-forwarded-for', '10.0.0.1, 203.0.113.7'],
        ['forwarded', 'for=1.2.3.4;proto=https'],
        ['cookie', 'session=abc; admin=true'],
        ['content-encoding', 'gzip'],
        ['accept', 'text/html'],
        ['accept-encoding', 'gzip, br, zstd'],
        ['traceparent', '00-zzzz-zzzz-01'],
        ['tracestate', ','.repeat(100)],
        ['idempotency-key', 'short'],
        ['idempotency-key', 'x'.repeat(200)],
        ['origin', 'null'],
        ['range', 'bytes=0-0'],
        ['if-none-match', '*'],
        ['max-forwards', '0'],
        ['x-padding', 'p'.repeat(20_000)],
      ),
      fc.tuple(headerName, headerValue),
    );

    const queryPart = fc.oneof(
      fc.constantFrom('limit', 'afterSequence', 'status', 'symbol', 'window', ...PROTOTYPE_NAMES, 'limit[]', 'a[b]', '', '%zz', '%ED%A0%80', '%00'),
      fc.string({ unit: 'binary', maxLength: 12 }).map((text) => encodeURIComponent(text)),
    );
    const queryValue = fc.oneof(
      fc.constantFrom('1e20', '-1', '0', '1', '1.5', 'NaN', 'Infinity', '99999999999999999999', '9007199254740993', '', '%zz', '%ED%A0%80', '%00', 'AAPL', 'open', '24h', '0x10', '%20', '+'),
      fc.string({ unit: 'binary', maxLength: 20 }).map((text) => encodeURIComponent(text)),
    );
    const query = fc.oneof(
      { arbitrary: fc.constant<'seed' | Array<[string, string]>>('seed'), weight: 3 },
      { arbitrary: fc.array(fc.tuple(queryPart, queryValue), { maxLength: 4 }), weight: 3 },
    );

    const percentEncoded = (bytes: Uint8Array) => [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
    const pathParam = fc.oneof(
      { arbitrary: fc.constant<string | undefined>(undefined), weight: 4 },
      {
        arbitrary: fc.constantFrom('%zz', '%E0%A4%A', '%ED%A0%80', '%00', '..', '.', '%2F', '%2E%2E', 'aapl', 'AAPL.X', '00000000-0000-0000-0000-000000000000', '1e20', '-1', 'A'.repeat(101), '%F0%9F%98%80'),
        weight: 2,
      },
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map((text) => encodeURIComponent(text)), weight: 2 },
      { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 20 }).map(percentEncoded), weight: 1 },
      { arbitrary: fc.stringMatching(/^[!$&'()*+,;=:@A-Za-z0-9._~-]{1,300}$/), weight: 1 },
    );

    // Ways to miss the route table, or to try to reach what lies behind it (/metrics, /health, fault switches).
    const pathTweak = fc.oneof(
      { arbitrary: fc.constant<string | undefined>(undefined), weight: 12 },
      {
        arbitrary: fc.constantFrom('trailing-slash', 'double-slash', 'dot-dot-metrics', 'encoded-dot-dot-health', 'upper-case', 'semicolon', 'nul', 'fragment', 'faults', 'absolute-form'),
        weight: 2,
      },
    );
    const methodTweak = fc.oneof(
      { arbitrary: fc.constant<string | undefined>(undefined), weight: 12 },
      { arbitrary: fc.constantFrom('PUT', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'GET', 'POST', 'DELETE'), weight: 1 },
    );

    const auth = fc.oneof(
      { arbitrary: fc.constant<Auth>('route'), weight: 12 },
      { arbitrary: fc.constantFrom<Auth>('none', 'garbage', 'expired', 'foreign-key', 'user-on-operator-route'), weight: 3 },
    );

    const hostileRequest = fc.record({
      route: fc.constantFrom(...ROUTES),
      body: bodyPlan,
      contentType,
      headers: fc.array(extraHeader, { maxLength: 3 }),
      query,
      param: pathParam,
      auth,
      pathTweak,
      methodTweak,
    });
    type Plan = typeof hostileRequest extends fc.Arbitrary<infer T> ? T : never;

    /** The concrete request for `plan`, and why it must be refused, if it must. */
    function build(plan: Plan): { request: HostileRequest; mustRefuse: string | undefined } {
      const { route } = plan;
      const seed = seedOf(route);
      const reasons: string[] = [];
      const seedBody = seed.body?.() ?? {};
      const entries = Object.entries(seedBody);
      let text: string | undefined;
      let bytes: Buffer | undefined;
      switch (plan.body.kind) {
        case 'none':
          break;
        case 'seed':
          text = JSON.stringify(seedBody);
          break;
        case 'replace-field': {
          const target = entries.length === 0 ? undefined : entries[plan.body.field % entries.length]![0];
          const literal = plan.body.literal;
          text = `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${key === target ? literal : JSON.stringify(value)}`).join(',')}}`;
          break;
        }
        case 'add-property': {
          const { name, literal } = plan.body;
          text = `{${[...entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`), `${JSON.stringify(name)}:${literal}`].join(',')}}`;
          if (route.method === 'POST' && !Object.hasOwn(seedBody, name)) reasons.push(`unknown property ${JSON.stringify(name)}`);
          break;
        }
        case 'drop-field': {
          const dropped = entries.length === 0 ? undefined : entries[plan.body.field % entries.length]![0];
          text = JSON.stringify(Object.fromEntries(entries.filter(([key]) => key !== dropped)));
          // register's phone is optional; every other field of a body is required.
          if (route.method === 'POST' && dropped !== undefined && dropped !== 'phone') reasons.push(`missing ${dropped}`);
          break;
        }
        case 'json-string-of-seed':
          text = JSON.stringify(JSON.stringify(seedBody));
          if (route.method === 'POST') reasons.push('a JSON string, not an object');
          break;
        case 'any-json':
          text = plan.body.literal;
          break;
        case 'bytes':
          bytes = Buffer.from(plan.body.bytes);
          break;
      }
      const body = bytes ?? (text === undefined ? undefined : Buffer.from(text, 'utf8'));

      // Only POST and DELETE bodies are read; GET ignores whatever it carries.
      const bodyIsRead = body !== undefined && (route.method === 'POST' || (route.method === 'DELETE' && plan.contentType !== ''));
      if (bodyIsRead && plan.contentType === 'application/json' && text !== undefined) {
        let value: unknown;
        let valid = true;
        try {
          value = JSON.parse(text);
        } catch {
          valid = false;
        }
        if (!valid) reasons.push('not JSON');
        else if (refusedByParser(value)) reasons.push(`nested deeper than ${MAX_JSON_DEPTH} or not well-formed Unicode`);
      }
      if (bodyIsRead && body.length > 0 && ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=xyz', 'application/octet-stream', 'application/xml'].includes(plan.contentType)) {
        reasons.push(`content type ${plan.contentType}`);
      }

      let path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => plan.param ?? seed.params?.[name]?.() ?? 'x');
      const pairs = plan.query === 'seed' ? Object.entries(seed.query ?? {}) : plan.query;
      if (pairs.length > 0) path += `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}`;
      if (seed.validatesQuery && plan.query !== 'seed') {
        const names = new Set(plan.query.map(([key]) => safeDecode(key)));
        const known = new Set(Object.keys(seed.query ?? {}));
        const unknown = [...names].filter((name) => name !== undefined && !known.has(name) && (PROTOTYPE_NAMES.includes(name) || /^[a-z]+$/i.test(name)));
        if (unknown.length > 0) reasons.push(`unknown query parameters ${unknown.join(', ')}`);
      }

      const headers: Record<string, string> = {};
      for (const [name, value] of plan.headers) headers[name] = value;
      if (route.method === 'POST' && seed.headers && plan.body.kind !== 'none') Object.assign(headers, seed.headers(), Object.fromEntries(plan.headers.filter(([name]) => name === 'idempotency-key')));
      if (body !== undefined && plan.contentType !== '') headers['content-type'] = plan.contentType;
      const authorization = authorizationFor(route, plan.auth);
      if (authorization !== undefined) headers.authorization = authorization;
      if (route.access === 'operator' && plan.auth !== 'route') reasons.push('not an operator');
      if (route.access === 'user' && plan.auth !== 'route' && plan.auth !== 'user-on-operator-route') reasons.push('not signed in');

      const method = plan.methodTweak ?? route.method;
      if (method !== route.method) {
        // Another route of the table may answer this method at this path (HEAD wherever GET does): that
        // route's own rules apply, not the ones worked out above, so nothing is claimed but the basics.
        const answeredElsewhere = ROUTES.some((other) => other.path === route.path && (other.method === method || (method === 'HEAD' && other.method === 'GET')));
        reasons.length = 0;
        if (!answeredElsewhere) reasons.push(`no route for ${method} ${route.path}`);
      }
      if (plan.pathTweak) {
        path = tweakPath(path, plan.pathTweak);
        // An absolute-form target names the same resource (RFC 9112 3.2.2); the others name none of the table.
        if (!['trailing-slash', 'fragment', 'absolute-form'].includes(plan.pathTweak)) reasons.push(`path ${plan.pathTweak}`);
      }
      // Node refuses an oversized header block with a 431 that has a body even when the method was HEAD,
      // and the client then reads that body as a second response: a quirk of the test's client only.
      if (method === 'HEAD') delete headers['x-padding'];
      return { request: { method, path, headers, body }, mustRefuse: reasons.length > 0 ? reasons.join('; ') : undefined };
    }

    function tweakPath(path: string, tweak: string): string {
      const [pathname, search] = path.split(/(?=\?)/);
      const withSearch = (changed: string) => changed + (search ?? '');
      switch (tweak) {
        case 'trailing-slash':
          return withSearch(`${pathname}/`);
        case 'double-slash':
          return withSearch(pathname!.replace('/api/', '//api//'));
        case 'dot-dot-metrics':
          return withSearch(`${pathname}/../../../metrics`);
        case 'encoded-dot-dot-health':
          return withSearch(`${pathname}/..%2F..%2F..%2Fhealth%2Fready`);
        case 'upper-case':
          return withSearch(pathname!.toUpperCase());
        case 'semicolon':
          return withSearch(`${pathname};jsessionid=1`);
        case 'nul':
          return withSearch(`${pathname}%00`);
        case 'fragment':
          return `${path}#fragment`;
        case 'faults':
          return withSearch(`${pathname}/../../faults`);
        default:
          return `http://127.0.0.1${path}`;
      }
    }

    function authorizationFor(route: GatewayRoute, auth: Auth): string | undefined {
      switch (auth) {
        case 'route':
          return route.access === 'operator' ? `Bearer ${tokens.operator}` : route.access === 'user' ? `Bearer ${tokens.user}` : undefined;
        case 'none':
          return undefined;
        case 'garbage':
          return 'Bearer not.a.token';
        case 'expired':
          return `Bearer ${tokens.expired}`;
        case 'foreign-key':
          return `Bearer ${tokens.foreign}`;
        case 'user-on-operator-route':
          return `Bearer ${tokens.user}`;
      }
    }

    it(`never answers 5xx, answers every 4xx in the error shape and refuses what is invalid (${RUNS} requests, seed ${SEED})`, async () => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(hostileRequest, async (plan) => {
          const { request, mustRefuse } = build(plan);
          const answer = await call(request);
          track(plan.route, answer);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const problem = problemWith(answer, mustRefuse, request.method);
          if (problem) throw new Error(`${describeRequest(request)}\n→ ${problem}`);
        }),
        { numRuns: RUNS, seed: SEED },
      );
      if (process.env.FUZZ_VERBOSE) process.stdout.write(`statuses: ${JSON.stringify([...statuses].sort(([a], [b]) => a - b))}\n`);
      // The fuzz reached the services and was not refused wholesale (a 2xx in every ten requests at least).
      const successes = [...statuses].filter(([status]) => status < 300).reduce((sum, [, count]) => sum + count, 0);
      expect(successes).toBeGreaterThan(RUNS / 10);
    }, 150_000);

    it('wrote nothing for a refused request: every new payment, order and account is one the fuzz was told about', async () => {
      const after = await written();
      const newPayments = [...accepted.payments.keys()].filter((id) => !before.payments.has(id));
      const newOrders = [...accepted.orders].filter((id) => !before.orders.has(id));

      expect([...after.payments].sort()).toEqual([...new Set([...before.payments, ...accepted.payments.keys()])].sort());
      expect(after.idempotencyKeys - before.idempotencyKeys).toBe(newPayments.length);
      expect(after.ledgerEntries - before.ledgerEntries).toBe(newPayments.filter((id) => accepted.payments.get(id) === 'succeeded').length);
      expect([...after.orders].sort()).toEqual([...new Set([...before.orders, ...accepted.orders])].sort());
      // Risk records each check it makes; an order refused after its check would leave one behind.
      expect(after.riskChecks - before.riskChecks).toBe(newOrders.length);
      expect(after.users - before.users).toBe(accepted.registrations);
      expect(after.sessions - before.sessions).toBe(accepted.logins);
    });
  });

  it('still serves the user whose requests were fuzzed', async () => {
    const me = await call({ method: 'GET', path: '/api/users/me', headers: asUser() });
    expect(me.status).toBe(200);
    expect(parsed(me)).toMatchObject({ userId, email });
  });
});

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
