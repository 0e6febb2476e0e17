import type { INestApplication } from '@nestjs/common';
import { promtoolCheckMetrics, sampleValue, sampleValuesBy, scrapeMetrics, TestEnv } from '@ai-finance/testing';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  allUpstreamsAt,
  deleteGatewayRedisKeys,
  JWT_SECRET,
  OPERATOR,
  startGateway,
  startGatewayCapturingLogs,
  USER,
  tokenFor,
  type GatewayLogLine,
} from './gateway-test-env';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** What the gateway puts on every answer. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

/** Weaker values an upstream might send for the same headers (the upstream at /quotes/WEAK does). */
const WEAKER_HEADERS = {
  'x-content-type-options': 'sniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'unsafe-url',
  'strict-transport-security': 'max-age=0',
  'content-security-policy': 'default-src *',
  'cache-control': 'public, max-age=3600',
};

/** Plays every service behind the gateway: answers 200 with what it saw, and remembers it. */
async function startEchoUpstream(): Promise<{ port: number; seen: Seen[]; stop(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json', ...(req.url === '/quotes/WEAK' ? WEAKER_HEADERS : {}) });
      res.end(JSON.stringify({ url: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const env = new TestEnv();

/** A token with `alg: none`, which a careless verifier would accept. */
function unsignedToken(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: USER.sub, role: 'operator', sid: USER.sid, iss: 'ai-finance/user-management', aud: 'ai-finance/api', iat: now, exp: now + 600 })}.`;
}

describe('api-gateway authentication, authorisation and rate limits (real Redis)', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  const metrics = () => scrapeMetrics(app);
  const forwardedWith = (requestId: string) => upstream.seen.filter((entry) => entry.headers['x-request-id'] === requestId);

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    app = await startGateway(env, { ...allUpstreamsAt(upstream.port), RATE_LIMIT_PER_IP: '1000', RATE_LIMIT_PER_USER: '5', RATE_LIMIT_AUTH_PER_IP: '3' });
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await upstream?.stop();
    env.restore();
    await deleteGatewayRedisKeys();
  });

  it('forwards a public route without identity headers, dropping identity headers the caller made up', async () => {
    await http.get('/api/market/quotes').set('x-request-id', 'sec-public-1').set('x-user-id', OPERATOR.sub).set('x-user-role', 'operator').expect(200);
    const [seen] = forwardedWith('sec-public-1');
    expect(seen.url).toBe('/quotes');
    expect(seen.headers).not.toHaveProperty('x-user-id');
    expect(seen.headers).not.toHaveProperty('x-user-role');
  });

  it('answers 401 with WWW-Authenticate, counts missing_token and forwards nothing when a user route has no token', async () => {
    const before = sampleValue(await metrics(), 'security_events_total', { type: 'missing_token' });
    const response = await http.get('/api/portfolio').set('x-request-id', 'sec-missing-1').expect(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toMatchObject({ statusCode: 401, message: 'a bearer access token is required', request_id: 'sec-missing-1' });
    expect(forwardedWith('sec-missing-1')).toHaveLength(0);
    expect(sampleValue(await metrics(), 'security_events_total', { type: 'missing_token' })).toBe(before + 1);
  });

  it.each([
    ['expired', () => tokenFor(USER, { expiresInSeconds: -10 }), 'the access token has expired; refresh it'],
    ['signed with another key', () => tokenFor(USER, { secret: 'x'.repeat(40) }), 'the access token is not valid'],
    ['signed with HS512 instead of the pinned HS256', () => tokenFor(USER, { algorithm: 'HS512' }), 'the access token is not valid'],
    ['from another issuer', () => tokenFor(USER, { issuer: 'someone-else' }), 'the access token is not valid'],
    ['for another audience', () => tokenFor(USER, { audience: 'ai-finance/some-other-api' }), 'the access token is not valid'],
    ['unsigned (alg none)', unsignedToken, 'the access token is not valid'],
  ])('refuses a token that is %s with 401, counts invalid_token and forwards nothing', async (_case, token, message) => {
    const before = sampleValue(await metrics(), 'security_events_total', { type: 'invalid_token' });
    const requestId = `sec-invalid-${randomUUID()}`;
    const response = await http.get('/api/portfolio').set('authorization', `Bearer ${token()}`).set('x-request-id', requestId).expect(401);
    expect(response.body.message).toBe(message);
    expect(forwardedWith(requestId)).toHaveLength(0);
    expect(sampleValue(await metrics(), 'security_events_total', { type: 'invalid_token' })).toBe(before + 1);
  });

  it('forwards a signed-in user with x-user-id and x-user-role from the token, never the token itself', async () => {
    await http
      .get('/api/portfolio/positions/AAPL?x=1')
      .set('authorization', `Bearer ${tokenFor(USER)}`)
      .set('x-user-id', OPERATOR.sub)
      .set('x-request-id', 'sec-user-1')
      .expect(200);
    const [seen] = forwardedWith('sec-user-1');
    expect(seen.url).toBe('/portfolio/positions/AAPL?x=1');
    expect(seen.headers['x-user-id']).toBe(USER.sub);
    expect(seen.headers['x-user-role']).toBe('user');
    expect(seen.headers).not.toHaveProperty('authorization');
  });

  it('keeps operator routes from users (403, counted as forbidden) and lets operators through', async () => {
    const before = sampleValue(await metrics(), 'security_events_total', { type: 'forbidden' });
    await http.get('/api/audit/verify').set('authorization', `Bearer ${tokenFor({ ...USER, sub: randomUUID() })}`).set('x-request-id', 'sec-op-1').expect(403);
    expect(forwardedWith('sec-op-1')).toHaveLength(0);
    expect(sampleValue(await metrics(), 'security_events_total', { type: 'forbidden' })).toBe(before + 1);

    await http.get('/api/audit/verify').set('authorization', `Bearer ${tokenFor(OPERATOR)}`).set('x-request-id', 'sec-op-2').expect(200);
    expect(forwardedWith('sec-op-2')[0].headers['x-user-role']).toBe('operator');
  });

  it.each([
    ['POST', '/api/risk/checks'],
    ['GET', '/api/market/metrics'],
    ['GET', '/api/payment/health/ready'],
    ['POST', '/api/notifications'],
    ['POST', '/api/alerts/alertmanager'],
    ['GET', '/metrics/../api/audit/verify'],
  ])('does not expose the internal endpoint %s %s (404, nothing forwarded)', async (method, path) => {
    const requestId = `sec-internal-${randomUUID()}`;
    const client = request(app.getHttpServer());
    await (method === 'POST' ? client.post(path) : client.get(path))
      .set('authorization', `Bearer ${tokenFor(OPERATOR)}`)
      .set('x-request-id', requestId)
      .expect(404);
    expect(forwardedWith(requestId)).toHaveLength(0);
  });

  it('limits credential endpoints per client IP: the 4th login in the window gets 429 with Retry-After', async () => {
    const before = sampleValue(await metrics(), 'security_events_total', { type: 'rate_limited' });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await http.post('/api/users/login').send({ email: 'a@example.com', password: 'wrong password' }).expect(200);
    }
    const refused = await http.post('/api/users/login').set('x-request-id', 'sec-login-4').send({ email: 'a@example.com', password: 'x' }).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body.message).toMatch(/rate limit "credentials" exceeded/);
    expect(forwardedWith('sec-login-4')).toHaveLength(0);
    expect(sampleValue(await metrics(), 'security_events_total', { type: 'rate_limited' })).toBe(before + 1);
  });

  it('limits each signed-in user separately: the 6th request of one user is refused, another user is not', async () => {
    const busy = { ...USER, sub: randomUUID() };
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await http.get('/api/signals').set('authorization', `Bearer ${tokenFor(busy)}`).expect(200);
    }
    await http.get('/api/signals').set('authorization', `Bearer ${tokenFor(busy)}`).expect(429);
    await http.get('/api/signals').set('authorization', `Bearer ${tokenFor({ ...USER, sub: randomUUID() })}`).expect(200);
  });

  it('counts each forwarded request by feature', async () => {
    const before = sampleValue(await metrics(), 'feature_usage_total', { feature: 'risk.limits' });
    await http.get('/api/risk/limits').set('authorization', `Bearer ${tokenFor({ ...USER, sub: randomUUID() })}`).expect(200);
    expect(sampleValue(await metrics(), 'feature_usage_total', { feature: 'risk.limits' })).toBe(before + 1);
  });

  it('sets all six security headers on every answer: forwarded, not found, refused and failed', async () => {
    const responses = [
      await http.get('/api/market/quotes').expect(200),
      await http.get('/api/nothing').expect(404),
      await http.get('/api/portfolio').expect(401),
      await request(app.getHttpServer()).get('/api/market/quotes/%2e%2e').expect(400),
    ];
    for (const response of responses) expect(response.headers).toMatchObject(SECURITY_HEADERS);
  });

  it("overrides an upstream's weaker values of the security headers with the gateway's", async () => {
    const response = await http.get('/api/market/quotes/WEAK').set('x-request-id', 'sec-headers-weak').expect(200);
    expect(forwardedWith('sec-headers-weak')).toHaveLength(1);
    expect(response.headers).toMatchObject(SECURITY_HEADERS);
  });

  it.each([
    ['..', '/api/market/quotes/..'],
    ['.', '/api/market/quotes/.'],
    ['%2e%2e', '/api/market/quotes/%2e%2e'],
    ['%2E%2E', '/api/market/quotes/%2E%2E'],
    ['.%2e', '/api/market/quotes/.%2e'],
    ['%2e', '/api/market/quotes/%2e?x=1'],
  ])('refuses the dot-segment path parameter %s with 400 and forwards nothing', async (_case, path) => {
    const requestId = `sec-dots-${randomUUID()}`;
    const response = await request(app.getHttpServer()).get(path).set('x-request-id', requestId).expect(400);
    expect(response.body.message).toMatch(/must not be "\." or "\.\."/);
    expect(forwardedWith(requestId)).toHaveLength(0);
  });

  it('refuses a dot-segment parameter on a signed-in route too, and still forwards parameters that merely contain dots', async () => {
    const token = tokenFor({ ...USER, sub: randomUUID() });
    await http.delete('/api/trading/orders/%2e%2e').set('authorization', `Bearer ${token}`).set('x-request-id', 'sec-dots-delete').expect(400);
    expect(forwardedWith('sec-dots-delete')).toHaveLength(0);

    for (const [path, forwarded] of [
      ['/api/market/quotes/BRK.B', '/quotes/BRK.B'],
      ['/api/market/quotes/...', '/quotes/...'],
      ['/api/market/quotes/%2e%2e%2fmetrics', '/quotes/..%2Fmetrics'],
    ]) {
      const requestId = `sec-dots-ok-${randomUUID()}`;
      await request(app.getHttpServer()).get(path).set('x-request-id', requestId).expect(200);
      expect(forwardedWith(requestId)[0]?.url).toBe(forwarded);
    }
  });

  it('serves /metrics that promtool accepts', async () => {
    expect(promtoolCheckMetrics(await metrics())).toEqual({ exitCode: 0, output: '' });
  });
});

describe('api-gateway security events: every one counted and logged with the client address', () => {
  let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  const lines: GatewayLogLine[] = [];
  const securityLines = (eventType: string) => lines.filter((line) => line.log_type === 'security_event' && line.event_type === eventType);

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    app = await startGatewayCapturingLogs(env, lines, { ...allUpstreamsAt(upstream.port), RATE_LIMIT_AUTH_PER_IP: '1' });
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await upstream?.stop();
    env.restore();
    await deleteGatewayRedisKeys();
  });

  it('exports every security event type at 0 before the first event, so rate() has a baseline', async () => {
    expect(sampleValuesBy(await scrapeMetrics(app), 'security_events_total', 'type')).toEqual({ invalid_token: 0, missing_token: 0, forbidden: 0, rate_limited: 0 });
  });

  it.each([
    ['missing_token', () => http.get('/api/portfolio').expect(401), { reason: 'missing' }],
    ['invalid_token', () => http.get('/api/portfolio').set('authorization', 'Bearer not-a-token').expect(401), { reason: 'malformed' }],
    ['forbidden', () => http.get('/api/audit/events').set('authorization', `Bearer ${tokenFor(USER)}`).expect(403), { user_id: USER.sub }],
    ['rate_limited', async () => {
      await http.post('/api/users/refresh').send({}).expect(200);
      return http.post('/api/users/refresh').send({}).expect(429);
    }, { limit: 'credentials' }],
  ])('writes a security_event line with ip_address for %s and counts it', async (type, send, fields) => {
    const before = sampleValue(await scrapeMetrics(app), 'security_events_total', { type });
    const logged = securityLines(type).length;

    await send();

    expect(sampleValue(await scrapeMetrics(app), 'security_events_total', { type })).toBe(before + 1);
    expect(securityLines(type)).toHaveLength(logged + 1);
    expect(securityLines(type).at(-1)).toMatchObject({
      level: 'warn',
      service_name: 'api-gateway',
      log_type: 'security_event',
      event_type: type,
      ip_address: '127.0.0.1',
      method: expect.any(String),
      path: expect.stringMatching(/^\/api\//),
      ...fields,
    });
  });
});

describe('api-gateway naming the client addresses behind security events', () => {
  let upstream: Server;
  let app: INestApplication;

  beforeAll(async () => {
    // user-management refusing every login, as it does a wrong password.
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(req.url === '/login' ? 401 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'wrong email or password' }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    app = await startGateway(env, { ...allUpstreamsAt((upstream.address() as AddressInfo).port), RATE_LIMIT_AUTH_PER_IP: '1000' });
  });

  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    env.restore();
    await deleteGatewayRedisKeys();
  });

  it('counts failed logins and refused tokens per client address in security_offender_events', async () => {
    const http = request(app.getHttpServer());
    for (let attempt = 0; attempt < 4; attempt++) await http.post('/api/users/login').send({ email: 'a@example.com', password: 'guess' }).expect(401);
    await http.get('/api/signals').set('authorization', 'Bearer not-a-token').expect(401);
    const metrics = await scrapeMetrics(app);
    expect(sampleValue(metrics, 'security_offender_events', { type: 'auth_failure', ip_address: '127.0.0.1' })).toBe(4);
    expect(sampleValue(metrics, 'security_offender_events', { type: 'invalid_token', ip_address: '127.0.0.1' })).toBe(1);
    expect(promtoolCheckMetrics(metrics)).toEqual({ exitCode: 0, output: '' });
  });
});

describe('api-gateway rate limits while Redis is unreachable', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startGateway(env, { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_AUTH_PER_IP: '2', USER_MANAGEMENT_URL: 'http://127.0.0.1:1', JWT_SECRET });
  });

  afterAll(async () => {
    await app?.close();
    env.restore();
  });

  it('falls back to limits in memory instead of letting everything through', async () => {
    const http = request(app.getHttpServer());
    // The upstream is unreachable too (502), which is beside the point: the third attempt never gets that far.
    await http.post('/api/users/login').send({}).expect(502);
    await http.post('/api/users/login').send({}).expect(502);
    await http.post('/api/users/login').send({}).expect(429);
  });
});
