import { Platform } from '@ai-finance/testing';
import { median, medianFigures, runAlternating } from '../harness/alternating';
import type { BenchContext } from '../harness/bench-context';
import { runClosedLoop, type ClosedLoopRun } from '../harness/closed-loop';
import { runFixedRate, type FixedRateRun } from '../harness/fixed-rate';
import { STOCK_OTEL_PRELOAD } from '../harness/paths';
import { round3, summariseAgainstOff, type VariantSummary } from '../harness/variant-runs';
import { SpanSink } from '../harness/span-sink';
import { pidOf } from '../harness/variant-process';
import { VARIANT_NAMES, VARIANTS, variantEnv, type VariantName } from '../variants';

export const REAL_PATH = '/api/market/quotes/AAPL';
const CONNECTIONS = 50;
export const FIXED_RATE_PER_SECOND = 1_000;
// The benchmark's own load comes from one address; the gateway's per-IP limit must not refuse it.
const UNLIMITED_PER_MINUTE = '100000000';

export interface RealPathResult {
  path: string;
  connections: number;
  variants: Record<VariantName, VariantSummary<ClosedLoopRun>>;
}

export interface AddedLatencyResult {
  path: string;
  ratePerSecond: number;
  off: FixedRateRun;
  library: FixedRateRun;
  addedLatencyP50Ms: number;
  addedLatencyP99Ms: number;
  /** Each round's library p99 less the off p99 of the same round. */
  addedLatencyP99ByRoundMs: number[];
  /** The lowest and highest p99 of the uninstrumented variant over the rounds: how far one configuration moves. */
  offLatencyP99RangeMs: [number, number];
}

/** api-gateway and market-data (Redis behind both) in one variant, on their own ports and prefixes. */
function realPathPlatform(name: VariantName, sink: SpanSink): Platform {
  const variant = VARIANTS[name];
  const env = variantEnv(variant);
  return new Platform({
    services: ['api-gateway', 'market-data'],
    keepSpans: false,
    otlpEndpoint: sink.endpoint,
    process: { discardStdout: true, nodeArgs: variant.stockOtel ? ['-r', STOCK_OTEL_PRELOAD] : [] },
    env: {
      'api-gateway': { ...env, OTEL_SERVICE_NAME: 'api-gateway', RATE_LIMIT_PER_IP: UNLIMITED_PER_MINUTE },
      // market-data's own tick interval: the test setting (100 ms) keeps a core busy on 2 cores.
      'market-data': { ...env, OTEL_SERVICE_NAME: 'market-data', MARKET_TICK_INTERVAL_MS: '1000' },
    },
  });
}

/**
 * Scenarios 2 and 3: GET /api/market/quotes/:symbol through api-gateway to market-data, in the four
 * variants at saturation, then off and library at a fixed 1,000 requests per second.
 */
export async function measureRealPath(context: BenchContext): Promise<{ realPath: RealPathResult; addedLatency: AddedLatencyResult }> {
  const sink = new SpanSink();
  await sink.start();
  const platforms = new Map<VariantName, Platform>(VARIANT_NAMES.map((name) => [name, realPathPlatform(name, sink)]));
  try {
    for (const platform of platforms.values()) {
      await platform.start();
      await platform.waitUntilReady();
    }
    const pids = (name: VariantName): number[] => [...(platforms.get(name) as Platform).services.values()].map(pidOf);
    const url = (name: VariantName): string => `${(platforms.get(name) as Platform).gateway.url}${REAL_PATH}`;
    const saturate = (name: VariantName, durationSeconds: number): Promise<ClosedLoopRun> =>
      runClosedLoop({ url: url(name), connections: CONNECTIONS, durationSeconds, pids: pids(name) });

    for (const name of VARIANT_NAMES) await saturate(name, context.warmUpSeconds);
    const runs = await runAlternating(VARIANT_NAMES, context.rounds, async (name, round) => {
      const run = await saturate(name, context.runSeconds);
      context.progress(`real path, round ${round + 1}, ${name}: ${Math.round(run.requestsPerSecond)} req/s, p99 ${run.latencyP99Ms} ms`);
      return run;
    });

    // The paced runs compare off and library only; the other variants' idle processes would add jitter.
    for (const name of VARIANT_NAMES) if (name !== 'off' && name !== 'library') await (platforms.get(name) as Platform).stop();
    const fixedRate = (name: VariantName): Promise<FixedRateRun> =>
      runFixedRate({
        origin: (platforms.get(name) as Platform).gateway.url,
        ratePerSecond: FIXED_RATE_PER_SECOND,
        durationSeconds: context.runSeconds,
        request: () => ({ method: 'GET', path: REAL_PATH }),
        pids: pids(name),
      });
    const paced = await runAlternating(['off', 'library'] as const, context.rounds, async (name, round) => {
      const run = await fixedRate(name);
      context.progress(`real path at ${FIXED_RATE_PER_SECOND}/s, round ${round + 1}, ${name}: p50 ${run.latencyP50Ms.toFixed(2)} ms, p99 ${run.latencyP99Ms.toFixed(2)} ms`);
      return run;
    });
    const off = paced.get('off') as FixedRateRun[];
    const library = paced.get('library') as FixedRateRun[];
    const addedByRound = (key: 'latencyP50Ms' | 'latencyP99Ms'): number[] => library.map((run, round) => round3(run[key] - off[round][key]));
    const addedP99ByRound = addedByRound('latencyP99Ms');
    const offP99s = off.map((run) => run.latencyP99Ms);
    return {
      realPath: { path: REAL_PATH, connections: CONNECTIONS, variants: summariseAgainstOff(runs, 'off', 'requestsPerSecond') },
      addedLatency: {
        path: REAL_PATH,
        ratePerSecond: FIXED_RATE_PER_SECOND,
        off: medianFigures(off),
        library: medianFigures(library),
        addedLatencyP50Ms: round3(median(addedByRound('latencyP50Ms'))),
        addedLatencyP99Ms: round3(median(addedP99ByRound)),
        addedLatencyP99ByRoundMs: addedP99ByRound,
        offLatencyP99RangeMs: [round3(Math.min(...offP99s)), round3(Math.max(...offP99s))],
      },
    };
  } finally {
    for (const platform of platforms.values()) await platform.stop();
    await sink.stop();
  }
}
