import { Platform } from '@ai-finance/testing';
import type { BenchContext } from '../harness/bench-context';
import { totalCpuTimeMs } from '../harness/process-stats';
import { residentMemoryMiB, runSoak, SOAK_SAMPLE_INTERVAL_MS, startMemorySampling, type MemoryByService, type MemorySampling, type SoakResult } from './memory-soak';
import { checkPlatformServers, closedPort, startSilentServer, type UnreachableBackend } from './platform-backends';
import { measureScrapeCost, type ScrapeCostResult } from './scrape-cost';
import { measureThroughGateway, type ThroughGatewayResult } from './through-gateway';

/** High enough that the benchmark's own load, all from a few loopback addresses, is never refused. */
const UNREFUSED_RATE_LIMIT = '1000000';
const READY_WITHIN_MS = 60_000;
/**
 * market-data's own default. Platform ticks every 100 ms so that tests see prices at once, but ten
 * symbols at 10 ticks/s each, consumed by trading, portfolio and signals, keep about a quarter of this
 * two-core machine busy before any request.
 */
const MARKET_TICK_INTERVAL_MS = '1000';
const IDLE_CPU_WINDOW_MS = 5_000;

export interface PlatformScenariosResult {
  services: string[];
  /** Where logs and spans were sent: nowhere that answers, the case the platform must survive. */
  telemetryBackends: { elasticsearch: { url: string; behaviour: string }; otlpCollector: { url: string; behaviour: string } };
  gatewayRateLimitsPerMinute: number;
  marketTickIntervalMs: number;
  /** CPU of all ten services together while idle, in cores: the background under every figure below. */
  idleCpuCores: number;
  residentMemoryIdleMiB: MemoryByService;
  throughGateway: ThroughGatewayResult;
  scrapeCost: ScrapeCostResult;
  memorySoak: SoakResult;
}

/**
 * Scenarios 4 and 5 and the memory soak on one platform of the ten services as real processes: idle memory, orders through
 * the gateway at climbing rates, the cost of a scrape, and memory over a soak, in that order.
 */
export async function measureOnPlatform(context: BenchContext): Promise<PlatformScenariosResult> {
  await checkPlatformServers();
  const backends: UnreachableBackend[] = [];
  let platform: Platform | undefined;
  let timeline: MemorySampling | undefined;
  try {
    // Logs are many small records, so a hung Elasticsearch is the harsher test of the bounded shipper.
    const elasticsearch = await startSilentServer();
    backends.push(elasticsearch);
    const collector = await closedPort();
    backends.push(collector);
    platform = new Platform({
      keepSpans: false,
      process: { discardStdout: true },
      otlpEndpoint: collector.url,
      elasticsearchUrl: elasticsearch.url,
      env: {
        'api-gateway': { RATE_LIMIT_PER_IP: UNREFUSED_RATE_LIMIT, RATE_LIMIT_PER_USER: UNREFUSED_RATE_LIMIT, RATE_LIMIT_AUTH_PER_IP: UNREFUSED_RATE_LIMIT },
        'market-data': { MARKET_TICK_INTERVAL_MS },
      },
    });
    context.progress('platform: starting the ten services');
    await platform.start();
    await platform.waitUntilReady(READY_WITHIN_MS);

    const idle = residentMemoryMiB(platform.services);
    const idleCpuCores = await cpuCoresOver([...platform.services.values()].map((service) => service.pid as number), IDLE_CPU_WINDOW_MS);
    context.progress(`platform: ready; idle RSS ${Math.round(Object.values(idle).reduce((sum, mib) => sum + mib, 0))} MiB in all, idle CPU ${idleCpuCores} cores`);

    const loadStartedAtMs = Date.now();
    timeline = startMemorySampling(platform.services, SOAK_SAMPLE_INTERVAL_MS, loadStartedAtMs);
    const throughGateway = await measureThroughGateway(platform, context);
    const scrapeCost = await measureScrapeCost(platform, context);
    const memorySoak = await runSoak({ platform, context, loadStartedAtMs, timeline, idle, peakUnderLoad: throughGateway.residentMemoryUnderLoadPeakMiB });
    return {
      services: [...platform.services.keys()],
      telemetryBackends: {
        elasticsearch: { url: elasticsearch.url, behaviour: elasticsearch.behaviour },
        otlpCollector: { url: collector.url, behaviour: collector.behaviour },
      },
      gatewayRateLimitsPerMinute: Number(UNREFUSED_RATE_LIMIT),
      marketTickIntervalMs: Number(MARKET_TICK_INTERVAL_MS),
      idleCpuCores,
      residentMemoryIdleMiB: idle,
      throughGateway,
      scrapeCost,
      memorySoak,
    };
  } finally {
    timeline?.stop();
    // A failure to clean up is reported, not thrown: it must not hide the error that ended the run.
    await platform?.stop().catch((error: unknown) => context.progress(`platform: stopping failed: ${(error as Error).message}`));
    await Promise.all(backends.map((backend) => backend.close()));
  }
}

/** CPU the processes use together over `windowMs`, in cores. */
async function cpuCoresOver(pids: readonly number[], windowMs: number): Promise<number> {
  const before = totalCpuTimeMs(pids);
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return Math.round(((totalCpuTimeMs(pids) - before) / windowMs) * 100) / 100;
}
