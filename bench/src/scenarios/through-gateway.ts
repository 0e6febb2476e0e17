import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HTTP_SERVER_DURATION_METRIC } from '@ai-finance/observability';
import { fetchMetrics, sampleValue, sampleValuesBy, type Platform } from '@ai-finance/testing';
import { parse } from 'yaml';
import type { BenchContext } from '../harness/bench-context';
import { runFixedRate, type PlannedRequest } from '../harness/fixed-rate';
import { WORKSPACE_ROOT } from '../harness/paths';
import { cpuTimeMs } from '../harness/process-stats';
import { peakMiB, startMemorySampling, type MemoryByService } from './memory-soak';
import { countsSince, sendJson, signUpUsers, type SignedInUser } from './platform-client';

// 10/s first: on two shared cores the platform may already miss the SLO at 25/s, and the result should still name a rate.
export const ORDER_RATES_PER_SECOND = [10, 25, 50, 100, 150, 200, 300, 400];
/** Users the orders are spread over, so that no one user's rows, limits or risk state carry the whole load. */
export const TRADERS = 50;
/** Each order buys about this much: risk's per-user limits are then never near over a whole run. */
const ORDER_NOTIONAL_TARGET_USD = 2;
/** Prices drift between the quotes read here and the fills; the worst case allows for this much. */
const PRICE_DRIFT_ALLOWANCE = 1.2;
/** The planned spend of one trader over the whole scenario must stay under this share of its smallest limit. */
const SPEND_SHARE_OF_LIMIT = 0.5;
/** Climbing stops when p95 passes this many times the SLO threshold... */
const STOP_AT_SLO_MULTIPLE = 3;
/** ...or more than this share of the orders fail. */
const STOP_AT_FAILED_SHARE = 0.01;
const MEMORY_SAMPLE_INTERVAL_MS = 1_000;
const ORDER_ROUTE = '/api/trading/orders';
const SLO_FILE = join('monitoring', 'slo', 'slos.yml');

export interface OrderRateStep {
  targetRatePerSecond: number;
  achievedRatePerSecond: number;
  requests: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  failedRequests: number;
  /** api-gateway's own count of its answers to POST /api/trading/orders during the measured run. */
  answersByStatus: Record<string, number>;
  ordersRejectedByRisk: number;
  /** CPU time of all ten services per order. */
  cpuMsPerRequest: number;
  /** The same by service: where an order's cost goes. */
  cpuMsPerRequestByService: Record<string, number>;
  meetsSlo: boolean;
}

export interface ThroughGatewayResult {
  route: string;
  slo: { service: string; source: string; latencyPercentile: number; latencyThresholdMs: number; availabilityObjectivePercent: number; note: string };
  orderPlan: OrderPlan;
  warmUpSecondsPerRate: number;
  runSecondsPerRate: number;
  cpuMsPerRequestCovers: string;
  steps: OrderRateStep[];
  stoppedEarly: string | null;
  highestRateMeetingSloPerSecond: number | null;
  residentMemoryUnderLoadPeakMiB: MemoryByService;
}

interface OrderPlan {
  traders: number;
  order: string;
  orderNotionalUsdAtMost: number;
  worstCaseSpendPerTraderUsd: number;
  traderBuyingPowerUsd: number;
  traderExposureLimitUsd: number;
  maxOrderNotionalUsd: number;
}

interface Instrument {
  symbol: string;
  priceUsd: number;
  quantity: string;
}

/**
 * Scenario 4: market orders through api-gateway to trading (market-data and risk behind it) at fixed
 * rates that climb until the latency is far past the trading SLO or orders fail.
 */
export async function measureThroughGateway(platform: Platform, context: BenchContext): Promise<ThroughGatewayResult> {
  const slo = tradingSlo();
  const gateway = platform.gateway.url;
  const pids = [...platform.services.values()].map((service) => service.pid).filter((pid): pid is number => pid !== undefined);

  context.progress(`through the gateway: signing in ${TRADERS} traders`);
  const traders = await signUpUsers(gateway, TRADERS, 'trader');
  const instruments = await orderInstruments(gateway);
  const orderPlan = await checkOrderPlan(gateway, traders[0], instruments, context);
  const bodies = instruments.map(({ symbol, quantity }) => JSON.stringify({ symbol, side: 'buy', type: 'market', quantity }));
  const order = (index: number): PlannedRequest => ({
    method: 'POST',
    path: ORDER_ROUTE,
    headers: { authorization: `Bearer ${traders[index % TRADERS].accessToken}`, 'content-type': 'application/json' },
    // Trader i takes the instruments in turn, so that every symbol is bought by every trader.
    body: bodies[Math.floor(index / TRADERS) % bodies.length],
  });

  const memory = startMemorySampling(platform.services, MEMORY_SAMPLE_INTERVAL_MS);
  const steps: OrderRateStep[] = [];
  let stoppedEarly: string | null = null;
  try {
    for (const rate of ORDER_RATES_PER_SECOND) {
      if (context.warmUpSeconds > 0) await runFixedRate({ origin: gateway, ratePerSecond: rate, durationSeconds: context.warmUpSeconds, request: order, pids });
      const before = await orderCounts(platform);
      const cpuBefore = cpuByService(platform);
      const run = await runFixedRate({ origin: gateway, ratePerSecond: rate, durationSeconds: context.runSeconds, request: order, pids });
      const cpuAfter = cpuByService(platform);
      const after = await orderCounts(platform);
      const failedShare = run.failedRequests / run.requests;
      const step: OrderRateStep = {
        targetRatePerSecond: rate,
        achievedRatePerSecond: twoDecimals(run.achievedRatePerSecond),
        requests: run.requests,
        latencyP50Ms: twoDecimals(run.latencyP50Ms),
        latencyP95Ms: twoDecimals(run.latencyP95Ms),
        latencyP99Ms: twoDecimals(run.latencyP99Ms),
        failedRequests: run.failedRequests,
        answersByStatus: countsSince(before.answers, after.answers),
        ordersRejectedByRisk: after.rejectedByRisk - before.rejectedByRisk,
        cpuMsPerRequest: twoDecimals(run.cpuMsPerRequest),
        cpuMsPerRequestByService: Object.fromEntries(Object.entries(cpuAfter).map(([name, ms]) => [name, twoDecimals((ms - cpuBefore[name]) / run.requests)])),
        meetsSlo: run.latencyP95Ms < slo.latencyThresholdMs && failedShare <= 1 - slo.availabilityObjectivePercent / 100,
      };
      steps.push(step);
      context.progress(
        `through the gateway: ${rate} orders/s -> ${step.achievedRatePerSecond}/s, p95 ${step.latencyP95Ms} ms, p99 ${step.latencyP99Ms} ms, ` +
          `failed ${step.failedRequests}, ${step.cpuMsPerRequest} CPU ms/order${step.meetsSlo ? '' : ' (misses the SLO)'}`,
      );
      if (run.latencyP95Ms > STOP_AT_SLO_MULTIPLE * slo.latencyThresholdMs) stoppedEarly = `p95 ${step.latencyP95Ms} ms at ${rate}/s is over ${STOP_AT_SLO_MULTIPLE} × the SLO`;
      else if (failedShare > STOP_AT_FAILED_SHARE) stoppedEarly = `${step.failedRequests} of ${step.requests} orders failed at ${rate}/s`;
      if (stoppedEarly) break;
    }
  } finally {
    memory.stop();
  }
  const meeting = steps.filter((step) => step.meetsSlo).map((step) => step.targetRatePerSecond);
  return {
    route: `POST ${ORDER_ROUTE}`,
    slo,
    orderPlan,
    warmUpSecondsPerRate: context.warmUpSeconds,
    runSecondsPerRate: context.runSeconds,
    cpuMsPerRequestCovers: 'CPU time of all ten services during the run over the orders sent, background work (ticks, outbox relays, consumers) included',
    steps,
    stoppedEarly,
    highestRateMeetingSloPerSecond: meeting.length > 0 ? Math.max(...meeting) : null,
    residentMemoryUnderLoadPeakMiB: peakMiB(memory.samples),
  };
}

/** trading's objectives from the SLO spec: the latency threshold its p95 must stay under, and availability. */
function tradingSlo(): ThroughGatewayResult['slo'] {
  const spec = parse(readFileSync(join(WORKSPACE_ROOT, SLO_FILE), 'utf8')) as {
    services?: Array<{ service?: string; availability?: { objective?: number }; latency?: { objective?: number; thresholdSeconds?: number } }>;
  };
  const trading = spec.services?.find((entry) => entry.service === 'trading');
  const { objective, thresholdSeconds } = trading?.latency ?? {};
  const availability = trading?.availability?.objective;
  if (typeof objective !== 'number' || typeof thresholdSeconds !== 'number' || typeof availability !== 'number') {
    throw new Error(`${SLO_FILE} has no latency objective, threshold and availability objective for trading`);
  }
  return {
    service: 'trading',
    source: SLO_FILE,
    latencyPercentile: objective,
    latencyThresholdMs: thresholdSeconds * 1000,
    availabilityObjectivePercent: availability,
    note: 'the SLO is on trading\'s own request histogram; here latency is measured at the client, through the gateway, which is stricter',
  };
}

/** Every listed instrument with a quantity that buys about ORDER_NOTIONAL_TARGET_USD at the current price. */
async function orderInstruments(gateway: string): Promise<Instrument[]> {
  const answer = await sendJson(gateway, 'GET', '/api/market/quotes');
  const quotes = (answer.body as { quotes?: Array<{ symbol: string; ask: string }> }).quotes ?? [];
  if (answer.status !== 200 || quotes.length === 0) throw new Error(`GET /api/market/quotes answered ${answer.status} with no quotes`);
  return quotes.map(({ symbol, ask }) => {
    const priceUsd = Number(ask);
    // Two significant digits, at most 8 decimals (trading's QUANTITY_PATTERN).
    const quantity = Number((ORDER_NOTIONAL_TARGET_USD / priceUsd).toPrecision(2)).toFixed(8).replace(/\.?0+$/, '');
    return { symbol, priceUsd, quantity };
  });
}

/**
 * Reads risk's limits for a trader and fails before any load if the planned orders could reach one:
 * a refusal by risk would be measured as a failed request and say nothing about the platform's speed.
 */
async function checkOrderPlan(gateway: string, trader: SignedInUser, instruments: readonly Instrument[], context: BenchContext): Promise<OrderPlan> {
  const answer = await sendJson(gateway, 'GET', '/api/risk/limits', { headers: { authorization: `Bearer ${trader.accessToken}` } });
  const limits = answer.body as { maxOrderNotional?: string; maxExposure?: string; initialBuyingPower?: string };
  if (answer.status !== 200 || !limits.maxOrderNotional || !limits.maxExposure || !limits.initialBuyingPower) {
    throw new Error(`GET /api/risk/limits answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  const orderNotionalUsdAtMost = Math.max(...instruments.map(({ priceUsd, quantity }) => priceUsd * Number(quantity))) * PRICE_DRIFT_ALLOWANCE;
  const plannedOrders = ORDER_RATES_PER_SECOND.reduce((sum, rate) => sum + rate * (context.warmUpSeconds + context.runSeconds), 0);
  const plan: OrderPlan = {
    traders: TRADERS,
    order: `market buy, one of ${instruments.length} symbols, about ${ORDER_NOTIONAL_TARGET_USD} USD`,
    orderNotionalUsdAtMost: twoDecimals(orderNotionalUsdAtMost),
    worstCaseSpendPerTraderUsd: twoDecimals(Math.ceil(plannedOrders / TRADERS) * orderNotionalUsdAtMost),
    traderBuyingPowerUsd: Number(limits.initialBuyingPower),
    traderExposureLimitUsd: Number(limits.maxExposure),
    maxOrderNotionalUsd: Number(limits.maxOrderNotional),
  };
  if (plan.worstCaseSpendPerTraderUsd > SPEND_SHARE_OF_LIMIT * Math.min(plan.traderBuyingPowerUsd, plan.traderExposureLimitUsd) || orderNotionalUsdAtMost > plan.maxOrderNotionalUsd) {
    throw new Error(`the planned orders could reach risk's limits: ${JSON.stringify(plan)}; use more traders or smaller orders`);
  }
  return plan;
}

/** api-gateway's answers to the order route by status, and risk's rejections, as counted by the services. */
async function orderCounts(platform: Platform): Promise<{ answers: Record<string, number>; rejectedByRisk: number }> {
  const [gatewayMetrics, riskMetrics] = await Promise.all([fetchMetrics(platform.gateway.url), fetchMetrics(platform.service('risk').url)]);
  return {
    answers: sampleValuesBy(gatewayMetrics, `${HTTP_SERVER_DURATION_METRIC}_count`, 'status_code', { method: 'POST', route: ORDER_ROUTE }),
    rejectedByRisk: sampleValue(riskMetrics, 'risk_checks_total', { outcome: 'rejected' }),
  };
}

function cpuByService(platform: Platform): Record<string, number> {
  return Object.fromEntries([...platform.services].map(([name, service]) => [name, cpuTimeMs(service.pid as number)]));
}

function twoDecimals(value: number): number {
  return Math.round(value * 100) / 100;
}
