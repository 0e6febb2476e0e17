import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN } from '@ai-finance/contracts';
import { HTTP_SERVER_DURATION_METRIC } from '@ai-finance/observability';
import { sampleValuesBy, type Platform, type ServiceProcess } from '@ai-finance/testing';
import { DEFAULT_MIX, runTraffic } from '@ai-finance/traffic-tools';
import jwt from 'jsonwebtoken';
import { Pool, request, type Dispatcher } from 'undici';
import type { BenchContext } from '../harness/bench-context';
import { sendJson, signUpUsers, type SignedInUser } from './platform-client';

// 100, so that the nearest-rank p99 is the second-worst scrape rather than the worst one (as with 50).
export const SCRAPES_PER_SERVICE = 100;
// Prometheus asks for OpenMetrics first: it is timed as much as the classic text format.
export const OPENMETRICS_SCRAPES_PER_SERVICE = 100;
const TRAFFIC_USERS = 20;
const TRAFFIC_ARRIVALS_PER_SECOND = 20;
const REQUEST_TIMEOUT_MS = 10_000;
/** What Prometheus sends when it prefers OpenMetrics. */
const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
// api-gateway's build emits no type declarations, so its route table is loaded as JavaScript and checked below.
const GATEWAY_ROUTE_TABLE = '@ai-finance/api-gateway/dist/routes/route-table';

type Access = 'public' | 'user' | 'operator';

/** One route as a client of a service sees it: a path with `:name` parameters. */
interface Route {
  upstream: string;
  method: string;
  path: string;
  access: Access;
}

/** A route of api-gateway's table (the fields used here). */
interface GatewayRoute extends Route {
  upstreamPath: string;
}

interface Probe {
  method: Dispatcher.HttpMethod;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Service endpoints the gateway does not route (called by trading or Alertmanager), so not in its table. */
const INTERNAL_ROUTES: readonly Route[] = [
  { upstream: 'risk', method: 'POST', path: '/checks', access: 'public' },
  { upstream: 'notification', method: 'POST', path: '/notifications', access: 'operator' },
  { upstream: 'notification', method: 'POST', path: '/alerts/alertmanager', access: 'public' },
];

export interface ServiceScrapeCost {
  service: string;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  bytes: number;
  /** Sample lines: neither comments nor empty. */
  series: number;
  /** Sample lines of http_server_request_duration_seconds (buckets, sums and counts). */
  requestDurationSeries: number;
  /** Its label sets (method, route, status_code): one histogram each. */
  requestDurationHistograms: number;
  routesSeen: number;
  statusCodesSeen: string[];
  openMetrics: { contentType: string; latencyP50Ms: number; latencyP99Ms: number; bytes: number };
}

export interface ProbeTally {
  requests: number;
  answersByStatus: Record<string, number>;
}

export interface ScrapeCostResult {
  exercise: {
    traffic: { seconds: number; users: number; requests: number; answersByStatus: Record<string, number> };
    /** 4xx-seeking requests: no token, bad tokens, malformed JSON, unknown ids, wrong methods and paths, operator routes as a user. */
    probes: Record<string, ProbeTally>;
    serverErrors: string[];
  };
  scrapesPerService: number;
  openMetricsScrapesPerService: number;
  services: ServiceScrapeCost[];
  /** latencyP99Ms: the slower of the two formats' p99. */
  worstService: { byLatencyP99: string; latencyP99Ms: number; byBytes: string; bytes: number; bySeries: string; series: number };
}

/**
 * Scenario 5: each service's /metrics after it has seen as many routes and status codes as practical
 * (the simulator's traffic, then requests meant to fail), scraped sequentially like Prometheus does.
 */
export async function measureScrapeCost(platform: Platform, context: BenchContext): Promise<ScrapeCostResult> {
  const routes = await gatewayRoutes();
  const trafficSeconds = Math.min(30, Math.max(10, 2 * context.runSeconds));
  context.progress(`scrape cost: traffic simulator for ${trafficSeconds} s (${TRAFFIC_ARRIVALS_PER_SECOND} arrivals/s, ${TRAFFIC_USERS} users, every action group)`);
  const summary = await runTraffic({
    gatewayUrl: new URL(platform.gateway.url),
    ratePerSecond: TRAFFIC_ARRIVALS_PER_SECOND,
    users: TRAFFIC_USERS,
    durationMs: trafficSeconds * 1000,
    mix: { ...DEFAULT_MIX },
    concurrency: 64,
    sourceAddresses: 'auto',
  });

  context.progress(`scrape cost: requests that fail, through the gateway (${routes.length} routes) and to each service`);
  const probes = new ProbeRun();
  const [user] = await signUpUsers(platform.gateway.url, 1, 'prober');
  await probeThroughGateway(platform, routes, user, probes);
  for (const service of platform.services.values()) {
    if (service.name === 'api-gateway') continue;
    const serviceRoutes = [...routes.map(atService), ...INTERNAL_ROUTES].filter((route) => route.upstream === service.name);
    for (const probe of directProbes(serviceRoutes, user.userId)) await probes.send(service.url, service.name, probe);
  }

  const services: ServiceScrapeCost[] = [];
  for (const service of platform.services.values()) {
    const cost = await scrapeCost(service);
    services.push(cost);
    context.progress(`scrape cost: ${service.name} p50 ${cost.latencyP50Ms} ms, p99 ${cost.latencyP99Ms} ms (OpenMetrics ${cost.openMetrics.latencyP99Ms} ms), ${cost.bytes} bytes, ${cost.series} series (${cost.requestDurationSeries} request-duration)`);
  }
  const worst = (key: 'latencyP99Ms' | 'bytes' | 'series') => services.reduce((a, b) => (b[key] > a[key] ? b : a));
  const slowerP99 = (cost: ServiceScrapeCost): number => Math.max(cost.latencyP99Ms, cost.openMetrics.latencyP99Ms);
  const slowest = services.reduce((a, b) => (slowerP99(b) > slowerP99(a) ? b : a));
  return {
    exercise: {
      traffic: { seconds: trafficSeconds, users: summary.users.signedIn, requests: summary.total.requests, answersByStatus: summary.total.statuses },
      probes: probes.tallies,
      serverErrors: probes.serverErrors,
    },
    scrapesPerService: SCRAPES_PER_SERVICE,
    openMetricsScrapesPerService: OPENMETRICS_SCRAPES_PER_SERVICE,
    services,
    worstService: {
      byLatencyP99: slowest.service,
      latencyP99Ms: slowerP99(slowest),
      byBytes: worst('bytes').service,
      bytes: worst('bytes').bytes,
      bySeries: worst('series').service,
      series: worst('series').series,
    },
  };
}

/** api-gateway's ROUTES from its build, with the fields used here checked. */
async function gatewayRoutes(): Promise<GatewayRoute[]> {
  const loaded = (await import(GATEWAY_ROUTE_TABLE)) as { ROUTES?: unknown };
  const table: unknown[] = Array.isArray(loaded.ROUTES) ? loaded.ROUTES : [];
  const routes = table.filter((entry): entry is GatewayRoute => {
    const route = entry as Partial<Record<keyof GatewayRoute, unknown>>;
    return [route.upstream, route.method, route.path, route.upstreamPath].every((field) => typeof field === 'string') && ['public', 'user', 'operator'].includes(route.access as string);
  });
  if (routes.length === 0 || routes.length !== table.length) throw new Error(`${GATEWAY_ROUTE_TABLE} has ROUTES this benchmark cannot read: build api-gateway (npx nx run api-gateway:build)`);
  return routes.map(({ upstream, method, path, upstreamPath, access }) => ({ upstream, method, path, upstreamPath, access }));
}

/** A gateway route as the service behind it sees it. */
const atService = (route: GatewayRoute): Route => ({ upstream: route.upstream, method: route.method, path: route.upstreamPath, access: route.access });

/** Sends probes and counts the answers per target; keeps every 5xx, which no probe should cause. */
class ProbeRun {
  readonly tallies: Record<string, ProbeTally> = {};
  readonly serverErrors: string[] = [];

  async send(origin: string, target: string, probe: Probe): Promise<void> {
    const tally = (this.tallies[target] ??= { requests: 0, answersByStatus: {} });
    tally.requests++;
    let status: number | undefined;
    try {
      const response = await request(new URL(probe.path, origin), { method: probe.method, headers: probe.headers, body: probe.body, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
      await response.body.dump();
      status = response.statusCode;
    } catch {
      status = undefined;
    }
    const key = status === undefined ? 'no answer' : String(status);
    tally.answersByStatus[key] = (tally.answersByStatus[key] ?? 0) + 1;
    if (status === undefined || status >= 500) this.serverErrors.push(`${target}: ${probe.method} ${probe.path} -> ${key}`);
  }
}

/** Parameter values no row has (404), and values that are not even well-formed (400). */
const UNKNOWN = (name: string) => (name === 'symbol' ? 'ZZZZ' : randomUUID());
const MALFORMED = (name: string) => (name === 'symbol' ? '1-not-a-symbol' : 'not-an-id');
const fill = (path: string, value: (name: string) => string) => path.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(value(name)));
const JSON_TYPE = { 'content-type': 'application/json' };

/** The route called as allowed, but with unknown or malformed ids, malformed or empty JSON, and a method it does not have. */
function callProbes(route: Route, headers: Record<string, string>): Probe[] {
  const wrongMethod: Probe = { method: 'PUT', path: fill(route.path, UNKNOWN), headers };
  if (route.method === 'POST') {
    return [
      { method: 'POST', path: route.path, headers: { ...headers, ...JSON_TYPE }, body: '{"truncated' },
      { method: 'POST', path: route.path, headers: { ...headers, ...JSON_TYPE }, body: '{}' },
      wrongMethod,
    ];
  }
  const method = route.method as Dispatcher.HttpMethod;
  const withIds = route.path.includes(':') ? [{ method, path: fill(route.path, MALFORMED), headers }] : [];
  return [{ method, path: fill(route.path, UNKNOWN), headers }, ...withIds, wrongMethod];
}

async function probeThroughGateway(platform: Platform, routes: readonly Route[], user: SignedInUser, probes: ProbeRun): Promise<void> {
  const gateway = platform.gateway.url;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const asUser = bearer(user.accessToken);
  const asOperator = bearer(accessToken(platform.jwtSecret, user.userId, 'operator', 300));
  const badTokens = [
    { authorization: 'Bearer not-a-token' },
    bearer(accessToken('a-secret-that-is-not-the-platforms-one', user.userId, 'user', 300)),
    bearer(accessToken(platform.jwtSecret, user.userId, 'user', -60)),
  ];
  const send = (probe: Probe) => probes.send(gateway, 'api-gateway', probe);

  for (const route of routes) {
    const path = fill(route.path, UNKNOWN);
    const method = route.method as Dispatcher.HttpMethod;
    if (route.access !== 'public') {
      await send({ method, path });
      for (const headers of badTokens) await send({ method, path, headers });
    }
    if (route.access === 'operator') await send({ method, path, headers: asUser });
    for (const probe of callProbes(route, route.access === 'operator' ? asOperator : route.access === 'user' ? asUser : {})) await send(probe);
  }
  for (const path of ['/api/no-such-service', '/api/trading/no-such-route', '/metrics', '/']) await send({ method: 'GET', path });

  // Refusals of the business rules: a second registration, a wrong password, orders risk refuses, a cancel of a filled order, a bad query.
  await send({ method: 'POST', path: '/api/users/register', headers: JSON_TYPE, body: JSON.stringify({ email: user.email, password: user.password }) });
  await send({ method: 'POST', path: '/api/users/login', headers: JSON_TYPE, body: JSON.stringify({ email: user.email, password: `${user.password}-wrong` }) });
  const order = (body: object) => ({ method: 'POST' as const, path: '/api/trading/orders', headers: { ...asUser, ...JSON_TYPE }, body: JSON.stringify(body) });
  await send(order({ symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1000000' }));
  await send(order({ symbol: 'AAPL', side: 'sell', type: 'market', quantity: '1' }));
  const filled = await sendJson(gateway, 'POST', '/api/trading/orders', { headers: asUser, body: { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '0.01' } });
  const orderId = (filled.body as { orderId?: unknown }).orderId;
  if (typeof orderId === 'string') await send({ method: 'DELETE', path: `/api/trading/orders/${orderId}`, headers: asUser });
  await send({ method: 'GET', path: '/api/trading/orders?limit=1000', headers: asUser });
}

/** Straight to one service, as only the gateway and other services should call it: without identity, with a bad one, and with a good one. */
function directProbes(routes: readonly Route[], userId: string): Probe[] {
  const identity = (role: string) => ({ 'x-user-id': userId, 'x-user-role': role });
  const probes: Probe[] = [];
  for (const route of routes) {
    const method = route.method as Dispatcher.HttpMethod;
    const path = fill(route.path, UNKNOWN);
    if (route.access !== 'public') {
      probes.push({ method, path }, { method, path, headers: { 'x-user-id': 'not-a-uuid', 'x-user-role': 'user' } });
    }
    if (route.access === 'operator') probes.push({ method, path, headers: identity('user') });
    probes.push(...callProbes(route, route.access === 'public' ? {} : identity(route.access)));
  }
  probes.push({ method: 'GET', path: '/no-such-route' }, { method: 'GET', path: '/admin/faults' }, { method: 'PUT', path: '/admin/faults/no-such-fault' });
  return probes;
}

/** An access token as user-management issues them, signed with `secret`; a negative lifetime makes it expired. */
function accessToken(secret: string, userId: string, role: 'user' | 'operator', lifetimeSeconds: number): string {
  return jwt.sign({ role, sid: randomUUID() }, secret, {
    algorithm: ACCESS_TOKEN.algorithm,
    issuer: ACCESS_TOKEN.issuer,
    audience: ACCESS_TOKEN.audience,
    subject: userId,
    expiresIn: lifetimeSeconds,
  });
}

/** Sequential scrapes over one keep-alive connection, as Prometheus scrapes a target. */
async function scrapeCost(service: ServiceProcess): Promise<ServiceScrapeCost> {
  const pool = new Pool(service.url, { connections: 1 });
  try {
    const { text, openMetrics } = await timedScrapes(pool);
    const samples = text.body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    const routes = sampleValuesBy(text.body, `${HTTP_SERVER_DURATION_METRIC}_count`, 'route');
    const statusCodes = sampleValuesBy(text.body, `${HTTP_SERVER_DURATION_METRIC}_count`, 'status_code');
    return {
      service: service.name,
      latencyP50Ms: twoDecimals(percentile(text.durationsMs, 50)),
      latencyP99Ms: twoDecimals(percentile(text.durationsMs, 99)),
      latencyMaxMs: twoDecimals(Math.max(...text.durationsMs)),
      bytes: Buffer.byteLength(text.body),
      series: samples.length,
      requestDurationSeries: samples.filter((line) => line.startsWith(HTTP_SERVER_DURATION_METRIC)).length,
      requestDurationHistograms: samples.filter((line) => line.startsWith(`${HTTP_SERVER_DURATION_METRIC}_count`)).length,
      routesSeen: Object.keys(routes).length,
      statusCodesSeen: Object.keys(statusCodes).sort(),
      openMetrics: {
        contentType: openMetrics.contentType,
        latencyP50Ms: twoDecimals(percentile(openMetrics.durationsMs, 50)),
        latencyP99Ms: twoDecimals(percentile(openMetrics.durationsMs, 99)),
        bytes: Buffer.byteLength(openMetrics.body),
      },
    };
  } finally {
    await pool.close();
  }
}

interface TimedScrapes {
  durationsMs: number[];
  body: string;
  contentType: string;
}

/**
 * The two formats' scrapes alternate, so that both meet the same moments: when all the text scrapes
 * came first, they alone met the platform still working off the traffic just sent (the first five or
 * six scrapes of api-gateway took 11 to 16 ms, most later ones 1 to 2 ms), and api-gateway's text p99
 * came out 2.5 to 4 times its OpenMetrics one in the Node 24 runs (14 to 23 ms against 4 to 9).
 */
async function timedScrapes(pool: Pool): Promise<{ text: TimedScrapes; openMetrics: TimedScrapes }> {
  const text: TimedScrapes = { durationsMs: [], body: '', contentType: '' };
  const openMetrics: TimedScrapes = { durationsMs: [], body: '', contentType: '' };
  while (text.durationsMs.length < SCRAPES_PER_SERVICE || openMetrics.durationsMs.length < OPENMETRICS_SCRAPES_PER_SERVICE) {
    const openMetricsTurn = openMetrics.durationsMs.length < text.durationsMs.length || text.durationsMs.length === SCRAPES_PER_SERVICE;
    const into = openMetricsTurn ? openMetrics : text;
    const startedAt = process.hrtime.bigint();
    const response = await pool.request({
      method: 'GET',
      path: '/metrics',
      headers: openMetricsTurn ? { accept: OPENMETRICS_ACCEPT } : {},
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    into.body = await response.body.text();
    into.durationsMs.push(Number(process.hrtime.bigint() - startedAt) / 1e6);
    if (response.statusCode !== 200) throw new Error(`GET /metrics answered ${response.statusCode}`);
    into.contentType = String(response.headers['content-type'] ?? '');
  }
  return { text, openMetrics };
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function twoDecimals(value: number): number {
  return Math.round(value * 100) / 100;
}
