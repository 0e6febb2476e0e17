import { createHash, randomUUID } from 'node:crypto';
import { ACCESS_TOKEN, EVENTS } from '@ai-finance/contracts';
import {
  captureEvents,
  createRabbitNamespace,
  createTestDatabase,
  deleteRedisKeys,
  promtoolCheckMetrics,
  sampleValue,
  sampleValuesBy,
  scrapeMetrics,
  serviceEnv,
  startNestApp,
  TestEnv,
  uniqueName,
  waitFor,
  type EventCapture,
  type TestDatabase,
  type TestRabbitNamespace,
} from '@ai-finance/testing';
import type { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import request from 'supertest';
import type { ActiveUsers as ActiveUsersType } from '../src/activity/active-users';
import type { UserManagementMetrics } from '../src/metrics';

// user-management in-process against the real PostgreSQL, Redis and RabbitMQ; every name is unique to this run.
const JWT_SECRET = `test-secret-${randomUUID()}-long-enough`;
const REDIS_URL = 'redis://127.0.0.1:6379';
const KEY_BASE = uniqueName('test-um');
const KEY_PREFIX = `${KEY_BASE}:`;
const PASSWORD = 'correct horse battery staple';
const CLIENT_IP = '203.0.113.7';
const GATEWAY_MESSAGE = 'requests must come through api-gateway';

type LogLine = Record<string, unknown> & { level: string; message: string; log_type?: string; event_type?: string };

describe('user-management (real PostgreSQL, Redis and RabbitMQ)', () => {
  const env = new TestEnv();
  const logLines: LogLine[] = [];
  let database: TestDatabase;
  let rabbit: TestRabbitNamespace;
  let events: EventCapture;
  let redis: Redis;
  let pg: Client;
  let app: INestApplication;
  let metricsOf: UserManagementMetrics;
  let activeUsers: ActiveUsersType;
  let ActiveUsers: typeof ActiveUsersType;
  let runGrantOperatorCli: typeof import('../src/roles/grant-operator').runGrantOperatorCli;

  const http = () => request(app.getHttpServer());

  const metricsText = () => scrapeMetrics(app);

  async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return sampleValue(await metricsText(), name, labels);
  }

  async function countRows(table: string, where = 'true', params: unknown[] = []): Promise<number> {
    const { rows } = await pg.query<{ count: string }>(`SELECT count(*) AS count FROM ${table} WHERE ${where}`, params);
    return Number(rows[0]!.count);
  }

  function newEmail(label: string): string {
    return `${label}-${randomUUID().slice(0, 8)}@example.com`;
  }

  async function register(email: string, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await http().post('/register').send({ email, password: PASSWORD, ...extra });
    expect(response.status).toBe(201);
    return response.body.userId as string;
  }

  async function login(email: string, password = PASSWORD, ip = CLIENT_IP): Promise<request.Response> {
    return http().post('/login').set('x-forwarded-for', ip).send({ email, password });
  }

  async function loggedIn(email: string): Promise<{ accessToken: string; refreshToken: string; userId: string; role: string }> {
    const response = await login(email);
    expect(response.status).toBe(200);
    return response.body;
  }

  beforeAll(async () => {
    database = await createTestDatabase('user_management');
    rabbit = createRabbitNamespace('user-management');
    events = await captureEvents(rabbit.exchange, ['user.*']);
    redis = new Redis(REDIS_URL);
    env.set({
      ...serviceEnv(database, rabbit),
      REDIS_URL,
      REDIS_KEY_PREFIX: KEY_PREFIX,
      JWT_SECRET,
      // The test drives the active-users job itself.
      ACTIVE_USERS_REFRESH_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'info',
    });
    const { UserManagementModule } = await import('../src/app.module');
    ({ ActiveUsers } = await import('../src/activity/active-users'));
    ({ runGrantOperatorCli } = await import('../src/roles/grant-operator'));
    const { USER_MANAGEMENT_METRICS } = await import('../src/metrics');

    const logDestination = { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) };
    // trustProxy as behind api-gateway: request.ip is the X-Forwarded-For client.
    app = await startNestApp(UserManagementModule.forRoot({ logDestination }), { fastify: { trustProxy: true } });
    metricsOf = app.get(USER_MANAGEMENT_METRICS);
    activeUsers = app.get(ActiveUsers);

    pg = new Client({ connectionString: database.url, options: '-c search_path=user_management' });
    await pg.connect();
    // Redis must be connected (no offline queue) before logins count failures.
    await waitFor('GET /health/ready to report ready', async () => ((await http().get('/health/ready')).status === 200 ? true : undefined));
  });

  afterAll(async () => {
    await app?.close();
    await pg?.end();
    await events?.close();
    await rabbit?.cleanup([]);
    if (redis) {
      await deleteRedisKeys(redis, KEY_BASE);
      redis.disconnect();
    }
    await database?.drop();
    env.restore();
  });

  describe('POST /register', () => {
    it('creates the user with an argon2id hash (never the password), lower-cases the email, publishes user.registered and counts it', async () => {
      const before = await metric('user_registrations_total');
      const email = newEmail('Alice').replace('alice', 'Alice');

      const response = await http().post('/register').send({ email, password: PASSWORD, phone: '+15551234567' });

      expect(response.status).toBe(201);
      expect(response.body).toEqual({ userId: expect.stringMatching(/^[0-9a-f-]{36}$/), email: email.toLowerCase(), createdAt: expect.any(String) });
      const { rows } = await pg.query('SELECT email, password_hash, phone, role FROM users WHERE id = $1', [response.body.userId]);
      expect(rows).toHaveLength(1);
      expect(rows[0].email).toBe(email.toLowerCase());
      expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
      expect(rows[0].password_hash).not.toContain(PASSWORD);
      expect(rows[0]).toMatchObject({ phone: '+15551234567', role: 'user' });

      const event = await waitFor('the user.registered event', () => events.withKey(EVENTS.userRegistered).find((e) => e.payload.userId === response.body.userId));
      expect(event.payload).toEqual({ userId: response.body.userId, email: email.toLowerCase(), phone: '+15551234567', registeredAt: response.body.createdAt });
      expect(event.messageId).toEqual(expect.any(String));
      expect(await metric('user_registrations_total')).toBe(before + 1);
      expect(logLines).toContainEqual(expect.objectContaining({ log_type: 'user_activity', event_type: 'user_registered', user_id: response.body.userId }));
    });

    it('leaves phone out of user.registered when none was given', async () => {
      const userId = await register(newEmail('nophone'));

      const event = await waitFor('the user.registered event', () => events.withKey(EVENTS.userRegistered).find((e) => e.payload.userId === userId));
      expect(event.payload).not.toHaveProperty('phone');
    });

    it('answers 409 for an email already registered, also in another case, and writes nothing', async () => {
      const email = newEmail('dup');
      await register(email);
      const users = await countRows('users');
      const registrations = await metric('user_registrations_total');

      for (const variant of [email, email.toUpperCase()]) {
        const response = await http().post('/register').send({ email: variant, password: PASSWORD });
        expect(response.status).toBe(409);
        expect(response.body.message).toBe('An account with this email already exists');
      }
      expect(await countRows('users')).toBe(users);
      expect(await metric('user_registrations_total')).toBe(registrations);
    });

    it('lets exactly one of two concurrent registrations of one email succeed; the other gets 409', async () => {
      const email = newEmail('race');
      const statuses = (await Promise.all([email, email.toUpperCase()].map((variant) => http().post('/register').send({ email: variant, password: PASSWORD })))).map((r) => r.status);

      expect(statuses.sort()).toEqual([201, 409]);
      expect(await countRows('users', 'lower(email) = $1', [email])).toBe(1);
    });

    it.each([
      ['a malformed email', { email: 'not-an-email', password: PASSWORD }, 'email must be a valid email address'],
      ['a password of 11 characters', { email: 'short@example.com', password: 'a'.repeat(11) }, 'password must be 12 to 128 characters long'],
      ['a password of 129 characters', { email: 'long@example.com', password: 'a'.repeat(129) }, 'password must be 12 to 128 characters long'],
      ['an extra field', { email: 'extra@example.com', password: PASSWORD, role: 'operator' }, 'property role should not exist'],
      ['an email that is a number', { email: 12345, password: PASSWORD }, 'email must be a string'],
      ['a password that is a number', { email: 'num@example.com', password: 123456789012345 }, 'password must be a string'],
      ['a phone not in E.164', { email: 'phone@example.com', password: PASSWORD, phone: '555-1234' }, 'phone must be an E.164 number'],
      ['a missing password', { email: 'nopass@example.com' }, 'password must be a string'],
    ])('answers 400 for %s, naming the problem, and writes nothing', async (_case, body, problem) => {
      const users = await countRows('users');
      const registrations = await metric('user_registrations_total');

      const response = await http().post('/register').send(body);

      expect(response.status).toBe(400);
      expect(response.body.message).toContain(problem);
      expect(await countRows('users')).toBe(users);
      expect(await metric('user_registrations_total')).toBe(registrations);
    });

    it('answers 400 for a malformed JSON body and writes nothing', async () => {
      const users = await countRows('users');

      const response = await http().post('/register').set('content-type', 'application/json').send('{"email": "x@example.com", "password": ');

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, request_id: expect.any(String) });
      expect(await countRows('users')).toBe(users);
    });
  });

  describe('POST /login', () => {
    it('returns an HS256 access token with the platform issuer, audience and claims, and a refresh token stored only as its sha256', async () => {
      const email = newEmail('login');
      const userId = await register(email);
      const successes = await metric('user_logins_total', { result: 'success' });

      const response = await login(email.toUpperCase());

      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        tokenType: 'Bearer',
        expiresIn: 900,
        userId,
        role: 'user',
      });
      const decoded = jwt.decode(response.body.accessToken, { complete: true });
      expect(decoded?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
      const claims = jwt.verify(response.body.accessToken, JWT_SECRET, {
        algorithms: [ACCESS_TOKEN.algorithm],
        issuer: ACCESS_TOKEN.issuer,
        audience: ACCESS_TOKEN.audience,
      }) as jwt.JwtPayload;
      expect(claims).toMatchObject({ sub: userId, role: 'user', sid: expect.any(String) });
      expect(claims.exp! - claims.iat!).toBe(900);
      // Signed with the secret and nothing else: another key or another algorithm does not verify it.
      expect(() => jwt.verify(response.body.accessToken, `${JWT_SECRET}-other`, { algorithms: ['HS256'] })).toThrow('invalid signature');
      expect(() => jwt.verify(response.body.accessToken, JWT_SECRET, { algorithms: ['HS512'] })).toThrow('invalid algorithm');

      const { rows } = await pg.query('SELECT id, user_id, refresh_token_hash, expires_at - created_at AS lifetime FROM sessions WHERE id = $1', [claims.sid]);
      expect(rows).toHaveLength(1);
      expect(rows[0].user_id).toBe(userId);
      expect(rows[0].refresh_token_hash).toBe(createHash('sha256').update(response.body.refreshToken).digest('hex'));
      expect(await countRows('sessions', 'refresh_token_hash = $1', [response.body.refreshToken])).toBe(0);
      expect(await metric('user_logins_total', { result: 'success' })).toBe(successes + 1);
    });

    it('answers 401 "invalid email or password" for a wrong password and for an unknown email alike, counting auth failures and logging them without the password', async () => {
      const email = newEmail('wrongpw');
      await register(email);
      const failures = await metric('user_logins_total', { result: 'failure' });
      const authFailures = await metric('security_events_total', { type: 'auth_failure' });
      const wrongPassword = 'definitely-the-wrong-password';

      const wrong = await login(email, wrongPassword);
      const unknown = await login(newEmail('nobody'), wrongPassword);

      for (const response of [wrong, unknown]) {
        expect(response.status).toBe(401);
        expect(response.body.message).toBe('invalid email or password');
      }
      expect(await metric('user_logins_total', { result: 'failure' })).toBe(failures + 2);
      expect(await metric('security_events_total', { type: 'auth_failure' })).toBe(authFailures + 2);
      expect(logLines).toContainEqual(
        expect.objectContaining({ level: 'warn', log_type: 'security_event', event_type: 'auth_failure', ip_address: CLIENT_IP, email }),
      );
      expect(JSON.stringify(logLines)).not.toContain(wrongPassword);
      expect(JSON.stringify(logLines)).not.toContain(PASSWORD);
    });

    it('answers 400 for a login body with a missing password or an extra field', async () => {
      expect((await http().post('/login').send({ email: 'a@example.com' })).status).toBe(400);
      expect((await http().post('/login').send({ email: 'a@example.com', password: PASSWORD, remember: true })).status).toBe(400);
    });

    it('locks the account at the 5th failure: 423 with Retry-After even with the right password, an account_locks row, user.locked and the counters', async () => {
      const email = newEmail('locked');
      const userId = await register(email);
      const lockedCounter = await metric('security_events_total', { type: 'account_locked' });
      const lockedLogins = await metric('user_logins_total', { result: 'locked' });

      for (let attempt = 1; attempt <= 4; attempt += 1) expect((await login(email, 'wrong-password-guess')).status).toBe(401);
      const fifth = await login(email, 'wrong-password-guess');
      const rightPassword = await login(email, PASSWORD);

      expect(fifth.status).toBe(423);
      expect(rightPassword.status).toBe(423);
      for (const response of [fifth, rightPassword]) {
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(890);
        expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(900);
        expect(response.body.message).toMatch(/locked/);
      }
      const { rows } = await pg.query('SELECT failed_attempts, ip_address, locked_until - locked_at AS duration FROM account_locks WHERE user_id = $1', [userId]);
      expect(rows).toEqual([{ failed_attempts: 5, ip_address: CLIENT_IP, duration: expect.objectContaining({ minutes: 15 }) }]);
      const event = await waitFor('the user.locked event', () => events.withKey(EVENTS.userLocked).find((e) => e.payload.userId === userId));
      expect(event.payload).toEqual({ userId, email, ipAddress: CLIENT_IP, failedAttempts: 5, lockedUntil: expect.any(String) });
      expect(await metric('security_events_total', { type: 'account_locked' })).toBe(lockedCounter + 1);
      expect(await metric('user_logins_total', { result: 'locked' })).toBe(lockedLogins + 1);
      expect(logLines).toContainEqual(
        expect.objectContaining({ log_type: 'security_event', event_type: 'account_locked', ip_address: CLIENT_IP, email, user_id: userId }),
      );
    });

    it('counts every login refused while the account is locked as a login_while_locked security event, logged with the client address', async () => {
      const email = newEmail('stilllocked');
      const userId = await register(email);
      for (let attempt = 1; attempt <= 5; attempt += 1) await login(email, 'wrong-password-guess');
      const lockedCounter = await metric('security_events_total', { type: 'account_locked' });
      const refusedWhileLocked = await metric('security_events_total', { type: 'login_while_locked' });
      const lockedLogins = await metric('user_logins_total', { result: 'locked' });
      const logged = () => logLines.filter((line) => line.event_type === 'login_while_locked' && line.user_id === userId);

      const attempts = [await login(email, PASSWORD, '198.51.100.1'), await login(email, 'another-guess', '198.51.100.2'), await login(email, PASSWORD, '198.51.100.3')];

      expect(attempts.map((response) => response.status)).toEqual([423, 423, 423]);
      expect(await metric('security_events_total', { type: 'login_while_locked' })).toBe(refusedWhileLocked + 3);
      expect(await metric('user_logins_total', { result: 'locked' })).toBe(lockedLogins + 3);
      // Still one lock: the alert on account_locked counts accounts, not retries.
      expect(await metric('security_events_total', { type: 'account_locked' })).toBe(lockedCounter);
      expect(logged()).toEqual(
        ['198.51.100.1', '198.51.100.2', '198.51.100.3'].map((ip) =>
          expect.objectContaining({ level: 'warn', log_type: 'security_event', event_type: 'login_while_locked', ip_address: ip, email, user_id: userId }),
        ),
      );
    });

    it('lets the user in again once the lock has expired, with a fresh failure count', async () => {
      const email = newEmail('unlock');
      const userId = await register(email);
      for (let attempt = 1; attempt <= 5; attempt += 1) await login(email, 'wrong-password-guess');
      expect((await login(email, PASSWORD)).status).toBe(423);

      await pg.query(`UPDATE account_locks SET locked_until = now() - interval '1 second' WHERE user_id = $1`, [userId]);

      expect((await login(email, PASSWORD)).status).toBe(200);
      expect(await redis.exists(`${KEY_PREFIX}login-failures:${userId}`)).toBe(0);
      // One wrong password after the lock is one failure, not the sixth.
      expect((await login(email, 'wrong-password-guess')).status).toBe(401);
      expect(await redis.get(`${KEY_PREFIX}login-failures:${userId}`)).toBe('1');
    });

    it('resets the failure count on a successful login', async () => {
      const email = newEmail('reset');
      const userId = await register(email);
      for (let attempt = 1; attempt <= 4; attempt += 1) await login(email, 'wrong-password-guess');
      expect(await redis.get(`${KEY_PREFIX}login-failures:${userId}`)).toBe('4');

      expect((await login(email, PASSWORD)).status).toBe(200);

      expect(await redis.exists(`${KEY_PREFIX}login-failures:${userId}`)).toBe(0);
      expect((await login(email, 'wrong-password-guess')).status).toBe(401);
    });
  });

  describe('POST /refresh', () => {
    it('rotates the refresh token: the new pair works, the old token stops working', async () => {
      const email = newEmail('rotate');
      const userId = await register(email);
      const first = await loggedIn(email);

      const rotated = await http().post('/refresh').send({ refreshToken: first.refreshToken });

      expect(rotated.status).toBe(200);
      expect(rotated.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, userId, role: 'user' });
      expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
      const claims = jwt.verify(rotated.body.accessToken, JWT_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      expect(claims.sid).toBe((jwt.decode(first.accessToken) as jwt.JwtPayload).sid);
      const again = await http().post('/refresh').send({ refreshToken: rotated.body.refreshToken });
      expect(again.status).toBe(200);
    });

    it('treats a rotated token presented again as reuse: 401, the whole session revoked, invalid_token counted and logged', async () => {
      const email = newEmail('reuse');
      await register(email);
      const first = await loggedIn(email);
      const sid = (jwt.decode(first.accessToken) as jwt.JwtPayload).sid as string;
      const rotated = await http().post('/refresh').send({ refreshToken: first.refreshToken });
      expect(rotated.status).toBe(200);
      const invalidTokens = await metric('security_events_total', { type: 'invalid_token' });

      const replay = await http().post('/refresh').set('x-forwarded-for', CLIENT_IP).send({ refreshToken: first.refreshToken });
      const latest = await http().post('/refresh').send({ refreshToken: rotated.body.refreshToken });

      expect(replay.status).toBe(401);
      expect(replay.body.message).toMatch(/already used.*revoked/);
      expect(latest.status).toBe(401);
      const { rows } = await pg.query('SELECT revoked_at, ended_at, end_reason FROM sessions WHERE id = $1', [sid]);
      expect(rows[0]).toMatchObject({ revoked_at: expect.any(Date), ended_at: expect.any(Date), end_reason: 'refresh_token_reuse' });
      expect(await metric('security_events_total', { type: 'invalid_token' })).toBe(invalidTokens + 2);
      expect(logLines).toContainEqual(
        expect.objectContaining({ log_type: 'security_event', event_type: 'invalid_token', reason: 'refresh_token_reused', ip_address: CLIENT_IP, session_id: sid }),
      );
    });

    it('lets only one of two concurrent refreshes with the same token succeed', async () => {
      const email = newEmail('concurrent');
      await register(email);
      const first = await loggedIn(email);

      const responses = await Promise.all([0, 1].map(() => http().post('/refresh').send({ refreshToken: first.refreshToken })));

      expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
    });

    it('answers 401 for an expired session and for an unknown token, and 400 for a malformed one', async () => {
      const email = newEmail('expired');
      await register(email);
      const first = await loggedIn(email);
      await pg.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [(jwt.decode(first.accessToken) as jwt.JwtPayload).sid]);

      const expired = await http().post('/refresh').send({ refreshToken: first.refreshToken });
      const unknown = await http().post('/refresh').send({ refreshToken: 'A'.repeat(43) });
      const malformed = await http().post('/refresh').send({ refreshToken: 'not-a-token' });

      expect(expired.status).toBe(401);
      expect(expired.body.message).toMatch(/expired/);
      expect(unknown.status).toBe(401);
      expect(malformed.status).toBe(400);
      expect(malformed.body.message).toContain('refreshToken must be the 43-character token');
    });
  });

  describe('POST /logout', () => {
    it('ends the session of the caller (204), observes its duration, and the refresh token stops working', async () => {
      const email = newEmail('logout');
      const userId = await register(email);
      const session = await loggedIn(email);
      const sid = (jwt.decode(session.accessToken) as jwt.JwtPayload).sid as string;
      const observed = await metric('user_session_duration_seconds_count');

      const response = await http().post('/logout').set('x-user-id', userId).send({ refreshToken: session.refreshToken });

      expect(response.status).toBe(204);
      expect(await metric('user_session_duration_seconds_count')).toBe(observed + 1);
      expect(await metric('user_session_duration_seconds_bucket', { le: '60' })).toBeGreaterThanOrEqual(1);
      const { rows } = await pg.query('SELECT ended_at, end_reason, revoked_at FROM sessions WHERE id = $1', [sid]);
      expect(rows[0]).toMatchObject({ ended_at: expect.any(Date), end_reason: 'logout', revoked_at: null });
      expect((await http().post('/refresh').send({ refreshToken: session.refreshToken })).status).toBe(401);
    });

    it("answers 404 for another user's refresh token and 401 without x-user-id, changing nothing", async () => {
      const email = newEmail('owner');
      await register(email);
      const session = await loggedIn(email);
      const observed = await metric('user_session_duration_seconds_count');

      const otherUser = await http().post('/logout').set('x-user-id', randomUUID()).send({ refreshToken: session.refreshToken });
      const noHeader = await http().post('/logout').send({ refreshToken: session.refreshToken });
      const badHeader = await http().post('/logout').set('x-user-id', 'not-a-uuid').send({ refreshToken: session.refreshToken });

      expect(otherUser.status).toBe(404);
      expect(noHeader.status).toBe(401);
      expect(noHeader.body.message).toContain(GATEWAY_MESSAGE);
      expect(badHeader.status).toBe(401);
      expect(await countRows('sessions', 'user_id = $1 AND ended_at IS NULL', [session.userId])).toBe(1);
      expect(await metric('user_session_duration_seconds_count')).toBe(observed);
      expect((await http().post('/refresh').send({ refreshToken: session.refreshToken })).status).toBe(200);
    });
  });

  describe('GET /me', () => {
    it('returns the profile of the x-user-id user', async () => {
      const email = newEmail('me');
      const userId = await register(email, { phone: '+447700900123' });

      const response = await http().get('/me').set('x-user-id', userId);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ userId, email, phone: '+447700900123', role: 'user', createdAt: expect.any(String) });
    });

    it('answers 401 without or with a malformed x-user-id, and 404 for an unknown user', async () => {
      const missing = await http().get('/me');
      const malformed = await http().get('/me').set('x-user-id', '12345');
      const unknown = await http().get('/me').set('x-user-id', randomUUID());

      expect(missing.status).toBe(401);
      expect(missing.body.message).toContain(GATEWAY_MESSAGE);
      expect(malformed.status).toBe(401);
      expect(unknown.status).toBe(404);
    });
  });

  describe('active users', () => {
    it('sets active_users{window} from distinct users of logins and refreshes, and prunes members older than 7 days', async () => {
      const key = `${KEY_PREFIX}active-users`;
      await redis.del(key);
      const now = Date.now();
      await redis.zadd(key, now - 8 * 86_400_000, 'eight-days-ago', now - 2 * 86_400_000, 'two-days-ago', now - 2 * 3_600_000, 'two-hours-ago');
      const emails = [newEmail('active-a'), newEmail('active-b')];
      for (const email of emails) await register(email);
      const a = await loggedIn(emails[0]!);
      await loggedIn(emails[0]!);
      await loggedIn(emails[1]!);
      expect((await http().post('/refresh').send({ refreshToken: a.refreshToken })).status).toBe(200);

      await activeUsers.refresh();

      expect(await metric('active_users', { window: '1h' })).toBe(2);
      expect(await metric('active_users', { window: '24h' })).toBe(3);
      expect(await metric('active_users', { window: '7d' })).toBe(4);
      expect(await redis.zscore(key, 'eight-days-ago')).toBeNull();
    });

    it('keeps the previous gauge values and logs a warning when Redis fails during the job', async () => {
      // A client whose connection is gone: every command fails, as when Redis goes away.
      const unreachable = new Redis(REDIS_URL, { enableOfflineQueue: false });
      await waitFor('the extra Redis connection', () => (unreachable.status === 'ready' ? true : undefined));
      unreachable.disconnect();
      const warnings: LogLine[] = [];
      const logger = { warn: (fields: Record<string, unknown>, message: string) => void warnings.push({ ...fields, level: 'warn', message }) };
      metricsOf.activeUsers.set({ window: '1h' }, 7);
      const job = new ActiveUsers(unreachable, KEY_PREFIX, 60_000, metricsOf, logger as never);

      await job.refresh();

      expect(await metric('active_users', { window: '1h' })).toBe(7);
      expect(warnings).toEqual([expect.objectContaining({ message: expect.stringContaining('keeps its previous values') })]);
      await activeUsers.refresh();
    });
  });

  describe('grant-operator', () => {
    const config = () => ({ DATABASE_URL: database.url });

    it('gives the user the operator role, says so, and tokens issued afterwards carry it', async () => {
      const email = newEmail('operator');
      const userId = await register(email);
      const session = await loggedIn(email);
      const out: string[] = [];
      const err: string[] = [];

      const code = await runGrantOperatorCli([email.toUpperCase()], config(), (line) => out.push(line), (line) => err.push(line));

      expect({ code, err }).toEqual({ code: 0, err: [] });
      expect(out.join('\n')).toContain(`${email} (user ${userId}): role changed from user to operator`);
      expect((await pg.query('SELECT role FROM users WHERE id = $1', [userId])).rows[0].role).toBe('operator');
      const refreshed = await http().post('/refresh').send({ refreshToken: session.refreshToken });
      expect(refreshed.body.role).toBe('operator');
      expect((jwt.verify(refreshed.body.accessToken, JWT_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload).role).toBe('operator');
      expect((await loggedIn(email)).role).toBe('operator');
      expect((await http().get('/me').set('x-user-id', userId)).body.role).toBe('operator');
    });

    it('exits 1 with a message for an unknown email and for a missing argument', async () => {
      const err: string[] = [];

      const unknown = await runGrantOperatorCli(['nobody-here@example.com'], config(), () => undefined, (line) => err.push(line));
      const missing = await runGrantOperatorCli([], config(), () => undefined, (line) => err.push(line));

      expect(unknown).toBe(1);
      expect(err[0]).toContain('No user with email "nobody-here@example.com" exists');
      expect(missing).toBe(1);
      expect(err[1]).toContain('usage:');
    });
  });

  describe('/metrics', () => {
    it('exposes the business metrics with their types and passes promtool check metrics', async () => {
      const text = await metricsText();

      for (const line of [
        '# TYPE user_registrations_total counter',
        '# TYPE user_logins_total counter',
        '# TYPE active_users gauge',
        '# TYPE user_session_duration_seconds histogram',
        '# TYPE security_events_total counter',
      ]) {
        expect(text).toContain(line);
      }
      expect(text).toMatch(/^user_session_duration_seconds_bucket\{le="604800",service="user-management"\} \d+/m);
      expect(Object.keys(sampleValuesBy(text, 'security_events_total', 'type')).sort()).toEqual(['account_locked', 'auth_failure', 'invalid_token', 'login_while_locked']);
      expect(promtoolCheckMetrics(text)).toEqual({ exitCode: 0, output: '' });
    });
  });
});
