import { fetchMetrics, Platform, promtoolCheckMetrics, sampleValue, type ServiceName, SERVICES, waitFor } from '@ai-finance/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
const WORKSPACE = join(__dirname, '..', '..', '..');

/** The counters and gauges the journey moves, read from each service's own /metrics. */
const WATCHED: Array<{ service: ServiceName; name: string; labels?: Record<string, string> }> = [
  { service: 'user-management', name: 'user_registrations_total' },
  { service: 'user-management', name: 'user_logins_total', labels: { result: 'success' } },
  { service: 'market-data', name: 'market_data_quote_requests_total', labels: { outcome: 'found' } },
  { service: 'trading', name: 'orders_total', labels: { type: 'market', side: 'buy', status: 'filled' } },
  { service: 'trading', name: 'trades_executed_total', labels: { symbol: 'AAPL', side: 'buy' } },
  { service: 'trading', name: 'trade_volume_total', labels: { symbol: 'AAPL' } },
  { service: 'payment', name: 'payments_total', labels: { status: 'succeeded', method: 'card' } },
  { service: 'payment', name: 'payment_revenue_total', labels: { currency: 'USD', method: 'card' } },
  { service: 'api-gateway', name: 'feature_usage_total', labels: { feature: 'trading.place_order' } },
  { service: 'api-gateway', name: 'feature_usage_total', labels: { feature: 'payments.pay' } },
  { service: 'api-gateway', name: 'feature_usage_total', labels: { feature: 'users.register' } },
  { service: 'audit', name: 'audit_events_recorded_total', labels: { event_type: 'payment.succeeded' } },
  { service: 'audit', name: 'audit_events_recorded_total', labels: { event_type: 'trade.executed' } },
  { service: 'audit', name: 'audit_events_recorded_total', labels: { event_type: 'user.registered' } },
  { service: 'portfolio', name: 'portfolio_trades_applied_total' },
];

const key = (entry: (typeof WATCHED)[number]) => `${entry.service} ${entry.name}${JSON.stringify(entry.labels ?? {})}`;

describe('a user journey through api-gateway with all ten services running', () => {
  const platform = new Platform({
    env: {
      signals: { SIGNAL_SHORT_WINDOW: '2', SIGNAL_LONG_WINDOW: '4', SIGNAL_COOLDOWN_TICKS: '1', SIGNAL_HORIZON_SECONDS: '1' },
      portfolio: { PORTFOLIO_METRICS_REFRESH_MS: '200' },
    },
  });
  const before = new Map<string, number>();
  const email = `journey-${randomUUID()}@example.com`;
  const password = 'correct horse battery staple';
  // Answers of ten different services, read field by field in each step: typing each one here would repeat docs/api.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let api: (method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<{ status: number; body: any; headers: Headers }>;

  const snapshot = async (): Promise<Map<string, number>> => {
    const texts = new Map<ServiceName, string>();
    for (const service of new Set(WATCHED.map((entry) => entry.service))) texts.set(service, await fetchMetrics(platform.service(service).url));
    return new Map(WATCHED.map((entry) => [key(entry), sampleValue(texts.get(entry.service) as string, entry.name, entry.labels)]));
  };

  beforeAll(async () => {
    await platform.start();
    api = async (method, path, options = {}) => {
      const response = await fetch(`${platform.gateway.url}${path}`, {
        method,
        headers: {
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    };
    // Every consumer bound and every price known before the journey starts.
    await platform.waitUntilReady();
    for (const [name, value] of await snapshot()) before.set(name, value);
  }, 120_000);

  afterAll(() => platform.stop(), 60_000);

  const delta = async (service: ServiceName, name: string, labels?: Record<string, string>) =>
    sampleValue(await fetchMetrics(platform.service(service).url), name, labels) - (before.get(key({ service, name, labels })) ?? 0);

  let accessToken = '';
  let userId = '';
  let notional = '';

  it('registers and logs in', async () => {
    const registered = await api('POST', '/api/users/register', { body: { email, password, phone: '+15550001111' } });
    expect(registered.status).toBe(201);
    userId = registered.body.userId;

    const login = await api('POST', '/api/users/login', { body: { email, password } });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', userId });
    accessToken = login.body.accessToken;
  });

  it('reads a quote', async () => {
    const quote = await api('GET', '/api/market/quotes/AAPL');
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({ symbol: 'AAPL', price: expect.stringMatching(/^\d+\.\d{2}$/) });
  });

  it('places a market order that fills', async () => {
    const order = await api('POST', '/api/trading/orders', { token: accessToken, body: { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '2' } });
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({ status: 'filled', symbol: 'AAPL', side: 'buy' });
    notional = order.body.trade.notional;
    expect(notional).toMatch(/^\d+\.\d{2}$/);
  });

  it('sees the position and its P&L in the portfolio', async () => {
    const portfolio = await waitFor('the AAPL position in the portfolio', async () => {
      const response = await api('GET', '/api/portfolio', { token: accessToken });
      return response.body?.positions?.some((position: { symbol: string }) => position.symbol === 'AAPL') ? response.body : undefined;
    }, 20_000);
    const position = portfolio.positions.find((entry: { symbol: string }) => entry.symbol === 'AAPL');
    expect(position).toMatchObject({ symbol: 'AAPL', unrealizedPnl: expect.stringMatching(/^-?\d+\.\d{2}$/) });
    expect(Number(position.quantity)).toBe(2);
  });

  it('pays a subscription with an idempotency key, and a retry of it is a replay', async () => {
    const idempotencyKey = `journey-${randomUUID()}`;
    const body = { amount: '49.99', currency: 'USD', method: 'card', plan: 'pro' };
    const paid = await api('POST', '/api/payments', { token: accessToken, body, headers: { 'idempotency-key': idempotencyKey } });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ status: 'succeeded', amount: '49.99', currency: 'USD' });

    const replay = await api('POST', '/api/payments', { token: accessToken, body, headers: { 'idempotency-key': idempotencyKey } });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(paid.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('reads signals', async () => {
    const signals = await api('GET', '/api/signals?symbol=AAPL', { token: accessToken });
    expect(signals.status).toBe(200);
    expect(Array.isArray(signals.body.signals)).toBe(true);
  });

  it('lets an operator verify the audit chain, which holds every event of the journey', async () => {
    const forbidden = await api('GET', '/api/audit/verify', { token: accessToken });
    expect(forbidden.status).toBe(403);

    await run(process.execPath, [join(WORKSPACE, 'apps/user-management/dist/grant-operator.js'), email], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: platform.databaseUrl },
    });
    const operatorLogin = await api('POST', '/api/users/login', { body: { email, password } });
    expect(operatorLogin.body.role).toBe('operator');

    await waitFor('the journey events in the audit log', async () =>
      (await delta('audit', 'audit_events_recorded_total', { event_type: 'payment.succeeded' })) >= 1 &&
      (await delta('audit', 'audit_events_recorded_total', { event_type: 'trade.executed' })) >= 1
        ? true
        : undefined,
    20_000);
    const verification = await api('GET', '/api/audit/verify', { token: operatorLogin.body.accessToken });
    expect(verification.status).toBe(200);
    expect(verification.body).toMatchObject({ valid: true, firstInvalid: null });
    expect(verification.body.checkedEvents).toBeGreaterThanOrEqual(3);
  });

  it('moved the business counters by exactly what the journey did', async () => {
    expect(await delta('user-management', 'user_registrations_total')).toBe(1);
    expect(await delta('user-management', 'user_logins_total', { result: 'success' })).toBe(2);
    expect(await delta('trading', 'orders_total', { type: 'market', side: 'buy', status: 'filled' })).toBe(1);
    expect(await delta('trading', 'trades_executed_total', { symbol: 'AAPL', side: 'buy' })).toBe(1);
    expect(await delta('trading', 'trade_volume_total', { symbol: 'AAPL' })).toBeCloseTo(Number(notional), 2);
    expect(await delta('payment', 'payments_total', { status: 'succeeded', method: 'card' })).toBe(1);
    expect(await delta('payment', 'payment_revenue_total', { currency: 'USD', method: 'card' })).toBeCloseTo(49.99, 2);
    expect(await delta('api-gateway', 'feature_usage_total', { feature: 'users.register' })).toBe(1);
    expect(await delta('api-gateway', 'feature_usage_total', { feature: 'trading.place_order' })).toBe(1);
    expect(await delta('api-gateway', 'feature_usage_total', { feature: 'payments.pay' })).toBe(2);
    expect(await delta('audit', 'audit_events_recorded_total', { event_type: 'user.registered' })).toBe(1);
    expect(await delta('audit', 'audit_events_recorded_total', { event_type: 'payment.succeeded' })).toBe(1);
    expect(await delta('audit', 'audit_events_recorded_total', { event_type: 'trade.executed' })).toBe(1);
    expect(await delta('portfolio', 'portfolio_trades_applied_total')).toBe(1);
    await waitFor('portfolio_positions_open to count the new position', async () =>
      sampleValue(await fetchMetrics(platform.service('portfolio').url), 'portfolio_positions_open') === 1 ? true : undefined,
    );
  });

  it('serves /metrics that promtool accepts on all ten services', async () => {
    const results = [];
    for (const name of SERVICES) results.push({ service: name, ...promtoolCheckMetrics(await fetchMetrics(platform.service(name).url)) });
    expect(results).toEqual(SERVICES.map((service) => ({ service, exitCode: 0, output: '' })));
  });

  it('detects an audit row altered in the database', async () => {
    const client = new Client({ connectionString: platform.databaseUrl });
    await client.connect();
    try {
      // A privileged attacker: bypasses the append-only triggers for this session only.
      await client.query('SET session_replication_role = replica');
      await client.query(`UPDATE audit.audit_log SET payload_canonical = replace(payload_canonical, '49.99', '4.99') WHERE event_type = 'payment.succeeded'`);
    } finally {
      await client.end();
    }
    const operatorLogin = await api('POST', '/api/users/login', { body: { email, password } });
    const verification = await api('GET', '/api/audit/verify', { token: operatorLogin.body.accessToken });
    expect(verification.status).toBe(200);
    expect(verification.body.valid).toBe(false);
    expect(verification.body.firstInvalid).toMatchObject({ sequence: expect.any(Number) });
  });
});
