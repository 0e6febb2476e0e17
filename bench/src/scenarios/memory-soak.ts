import { fetchMetrics, residentMemoryBytes, sampleValue, sampleValuesBy, type Platform, type ServiceProcess } from '@ai-finance/testing';
import { DEFAULT_MIX, runTraffic } from '@ai-finance/traffic-tools';
import type { BenchContext } from '../harness/bench-context';

/** Resident memory of each service, MiB, by service name. */
export type MemoryByService = Record<string, number>;

export interface MemorySample {
  /** Since the start of the load (scenario 4). */
  atSeconds: number;
  residentMemoryMiB: MemoryByService;
}

export interface MemorySampling {
  readonly samples: MemorySample[];
  sampleNow(): MemorySample;
  stop(): void;
}

export const SOAK_SAMPLE_INTERVAL_MS = 15_000;
/** Arrivals per second of the simulator during the soak: with its follow-up requests about 50 requests/s. */
export const SOAK_ARRIVALS_PER_SECOND = 40;
const SOAK_USERS = 50;
/*
 * A service is bounded when the highest RSS of the second half of the soak is less than this share above
 * the highest of the first half... RSS follows the garbage collector in a sawtooth (audit: 102 to 142 MiB
 * every few minutes), so peaks are compared with peaks; two single samples (half time and end) can fall
 * on a trough and a crest and read as growth.
 */
const BOUNDED_GROWTH_SHARE = 0.1;
/** ...or its least-squares slope over the second half stays under this. */
const BOUNDED_SLOPE_MIB_PER_MINUTE = 2;
export const BOUNDED_RULE =
  `bounded when the highest RSS of the second half of the load is less than ${BOUNDED_GROWTH_SHARE * 100}% above the highest of the first half, ` +
  `or the least-squares slope over the second half is under ${BOUNDED_SLOPE_MIB_PER_MINUTE} MiB/min`;

const BYTES_PER_MIB = 1024 * 1024;
const oneDecimal = (value: number): number => Math.round(value * 10) / 10;

/** Resident memory of every service now. */
export function residentMemoryMiB(services: ReadonlyMap<string, ServiceProcess>): MemoryByService {
  const memory: MemoryByService = {};
  for (const [name, service] of services) {
    if (service.pid === undefined) throw new Error(`${name} is not running`);
    memory[name] = oneDecimal(residentMemoryBytes(service.pid) / BYTES_PER_MIB);
  }
  return memory;
}

/** Samples every service's RSS now and then every `intervalMs` until stop(). */
export function startMemorySampling(services: ReadonlyMap<string, ServiceProcess>, intervalMs: number, startedAtMs = Date.now()): MemorySampling {
  const samples: MemorySample[] = [];
  const sampleNow = (): MemorySample => {
    const sample = { atSeconds: Math.round((Date.now() - startedAtMs) / 1000), residentMemoryMiB: residentMemoryMiB(services) };
    // A sample asked for in the same second as the timer's replaces it rather than repeating the time.
    if (samples.at(-1)?.atSeconds === sample.atSeconds) samples.pop();
    samples.push(sample);
    return sample;
  };
  sampleNow();
  const timer = setInterval(sampleNow, intervalMs);
  return { samples, sampleNow, stop: () => clearInterval(timer) };
}

/** The highest RSS of each service over the samples. */
export function peakMiB(samples: readonly MemorySample[]): MemoryByService {
  const peak: MemoryByService = {};
  for (const sample of samples) {
    for (const [name, mib] of Object.entries(sample.residentMemoryMiB)) peak[name] = Math.max(peak[name] ?? 0, mib);
  }
  return peak;
}

export interface SoakOptions {
  platform: Platform;
  context: BenchContext;
  /** When scenario 4 began: the soak lasts until `context.soakMinutes` after it. */
  loadStartedAtMs: number;
  /** Sampling every SOAK_SAMPLE_INTERVAL_MS since loadStartedAtMs. */
  timeline: MemorySampling;
  idle: MemoryByService;
  /** Peak RSS while scenario 4 ran, sampled more often than the timeline. */
  peakUnderLoad: MemoryByService;
}

/** The memory soak: the platform under moderate load until the soak's end, then memory per service and what telemetry was lost. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { platform, context, loadStartedAtMs, timeline } = options;
  const remainingMs = loadStartedAtMs + context.soakMinutes * 60_000 - Date.now();
  const traffic = remainingMs > 1_000 ? await soakTraffic(platform, context, remainingMs) : undefined;
  if (!traffic) context.progress(`soak: ${context.soakMinutes} min of load had passed already; no soak traffic`);
  timeline.sampleNow();
  timeline.stop();

  const services = [...platform.services.values()];
  const metrics = await Promise.all(services.map((service) => fetchMetrics(service.url)));
  // The V8 heap next to RSS tells a growing heap (objects kept) from native memory.
  const heapUsed = Object.fromEntries(services.map((service, index) => [service.name, oneDecimal(sampleValue(metrics[index], 'nodejs_heap_size_used_bytes') / BYTES_PER_MIB)]));
  const memory = memoryGrowth(timeline.samples, options.idle, options.peakUnderLoad, heapUsed);
  const dropsByService = Object.fromEntries(services.map((service, index) => [service.name, sampleValuesBy(metrics[index], 'log_records_dropped_total', 'reason')]));
  const dropsByReason: Record<string, number> = {};
  for (const drops of Object.values(dropsByService)) for (const [reason, count] of Object.entries(drops)) dropsByReason[reason] = (dropsByReason[reason] ?? 0) + count;
  const shipped = metrics.reduce((sum, text) => sum + sampleValue(text, 'log_records_shipped_total'), 0);

  const result: SoakResult = {
    loadMinutes: oneDecimal((Date.now() - loadStartedAtMs) / 60_000),
    soakTraffic: traffic ?? null,
    sampleIntervalSeconds: SOAK_SAMPLE_INTERVAL_MS / 1000,
    boundedRule: BOUNDED_RULE,
    allBounded: Object.values(memory).every((service) => service.bounded),
    services: memory,
    timelineMiB: timelineOf(timeline.samples),
    logRecordsDropped: {
      total: Object.values(dropsByReason).reduce((sum, count) => sum + count, 0),
      byReason: dropsByReason,
      byService: Object.fromEntries(Object.entries(dropsByService).map(([name, drops]) => [name, Object.values(drops).reduce((sum, count) => sum + count, 0)])),
    },
    logRecordsShipped: shipped,
    spansNotExported: spansNotExported(services),
  };
  context.progress(`soak: done; ${result.allBounded ? 'every service bounded' : `not bounded: ${Object.entries(memory).filter(([, m]) => !m.bounded).map(([name]) => name).join(', ')}`}; ${result.logRecordsDropped.total} log records dropped`);
  return result;
}

async function soakTraffic(platform: Platform, context: BenchContext, durationMs: number): Promise<SoakTraffic> {
  context.progress(`soak: traffic simulator at ${SOAK_ARRIVALS_PER_SECOND} arrivals/s for ${oneDecimal(durationMs / 60_000)} min, RSS every ${SOAK_SAMPLE_INTERVAL_MS / 1000} s`);
  const startedAtMs = Date.now();
  const summary = await runTraffic(
    { gatewayUrl: new URL(platform.gateway.url), ratePerSecond: SOAK_ARRIVALS_PER_SECOND, users: SOAK_USERS, durationMs, mix: { ...DEFAULT_MIX }, concurrency: 64, sourceAddresses: 'auto' },
    {
      progressIntervalMs: 60_000,
      onProgress: (progress) =>
        context.progress(`soak: ${oneDecimal((Date.now() - startedAtMs) / 60_000)} min, ${oneDecimal(progress.ratePerSecond)} req/s, p95 ${progress.recentLatency?.p95Ms ?? '-'} ms, errors ${progress.clientErrors + progress.serverErrors + progress.networkErrors}`),
    },
  );
  return {
    durationSeconds: Math.round(summary.durationMs / 1000),
    arrivalsPerSecond: SOAK_ARRIVALS_PER_SECOND,
    users: summary.users.signedIn,
    requests: summary.total.requests,
    requestsPerSecond: oneDecimal(summary.achievedRatePerSecond),
    answersByStatus: summary.total.statuses,
    networkErrors: summary.total.networkErrors,
    droppedArrivals: summary.arrivals.dropped,
  };
}

/** Per service: idle, peak, end, and growth over the second half of the samples (by time). */
function memoryGrowth(samples: readonly MemorySample[], idle: MemoryByService, peakUnderLoad: MemoryByService, heapUsed: MemoryByService): Record<string, ServiceMemory> {
  const last = samples[samples.length - 1];
  const halfTimeSeconds = last.atSeconds / 2;
  const secondHalf = samples.filter((sample) => sample.atSeconds >= halfTimeSeconds);
  const firstHalf = samples.filter((sample) => sample.atSeconds < halfTimeSeconds);
  const atHalf = secondHalf[0];
  const highest = (part: readonly MemorySample[], name: string): number => Math.max(...part.map((sample) => sample.residentMemoryMiB[name]));
  const peak = peakMiB(samples);
  const memory: Record<string, ServiceMemory> = {};
  for (const name of Object.keys(last.residentMemoryMiB)) {
    const growth = last.residentMemoryMiB[name] - atHalf.residentMemoryMiB[name];
    const slope = slopePerMinute(secondHalf.map((sample) => [sample.atSeconds / 60, sample.residentMemoryMiB[name]]));
    const growthShare = growth / atHalf.residentMemoryMiB[name];
    const firstHalfPeak = firstHalf.length > 0 ? highest(firstHalf, name) : atHalf.residentMemoryMiB[name];
    const peakGrowthShare = highest(secondHalf, name) / firstHalfPeak - 1;
    memory[name] = {
      idleMiB: idle[name],
      peakUnderLoadMiB: Math.max(peak[name], peakUnderLoad[name] ?? 0),
      atHalfTimeMiB: atHalf.residentMemoryMiB[name],
      afterSoakMiB: last.residentMemoryMiB[name],
      heapUsedAfterSoakMiB: heapUsed[name],
      growthOverSecondHalfMiB: oneDecimal(growth),
      growthOverSecondHalfPercent: oneDecimal(growthShare * 100),
      peakGrowthPercent: oneDecimal(peakGrowthShare * 100),
      slopeOverSecondHalfMiBPerMinute: slope === null ? null : oneDecimal(slope),
      bounded: peakGrowthShare < BOUNDED_GROWTH_SHARE || (slope !== null && slope < BOUNDED_SLOPE_MIB_PER_MINUTE),
    };
  }
  return memory;
}

/** Least-squares slope of y over x; null with fewer than two distinct x. */
function slopePerMinute(points: ReadonlyArray<[number, number]>): number | null {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  if (n < 2 || sxx === 0) return null;
  return points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0) / sxx;
}

function timelineOf(samples: readonly MemorySample[]): SoakResult['timelineMiB'] {
  const services: Record<string, number[]> = {};
  for (const sample of samples) for (const [name, mib] of Object.entries(sample.residentMemoryMiB)) (services[name] ??= []).push(mib);
  return { atSeconds: samples.map((sample) => sample.atSeconds), services };
}

/**
 * libs/observability counts no span it could not export: the BatchSpanProcessor drops spans beyond its
 * queue silently and a failed export is only logged. Its warnings go to stderr once per distinct text,
 * so the count read from them is a lower bound.
 */
function spansNotExported(services: readonly ServiceProcess[]): SoakResult['spansNotExported'] {
  let droppedSpans = 0;
  let exportErrorWarnings = 0;
  for (const service of services) {
    const stderr = service.stderr.join('');
    for (const match of stderr.matchAll(/Dropped (\d+) spans because maxQueueSize reached/g)) droppedSpans += Number(match[1]);
    exportErrorWarnings += stderr.split('\n').filter((line) => line.includes('opentelemetry:') && !line.includes('Dropped')).length;
  }
  return {
    metric: null,
    note: 'no metric counts spans the services failed to export; figures are from the OpenTelemetry warnings on stderr, logged once per distinct text (a lower bound)',
    droppedSpansInWarnings: droppedSpans,
    distinctExportErrorWarnings: exportErrorWarnings,
  };
}

export interface ServiceMemory {
  idleMiB: number;
  peakUnderLoadMiB: number;
  atHalfTimeMiB: number;
  afterSoakMiB: number;
  heapUsedAfterSoakMiB: number;
  growthOverSecondHalfMiB: number;
  growthOverSecondHalfPercent: number;
  /** Highest RSS of the second half against the highest of the first, in percent. */
  peakGrowthPercent: number;
  slopeOverSecondHalfMiBPerMinute: number | null;
  bounded: boolean;
}

export interface SoakTraffic {
  durationSeconds: number;
  arrivalsPerSecond: number;
  users: number;
  requests: number;
  requestsPerSecond: number;
  answersByStatus: Record<string, number>;
  networkErrors: number;
  droppedArrivals: number;
}

export interface SoakResult {
  /** From the start of scenario 4 to the end of the soak. */
  loadMinutes: number;
  /** The simulator's part of the load; null when scenarios 4 and 5 already filled `soakMinutes`. */
  soakTraffic: SoakTraffic | null;
  sampleIntervalSeconds: number;
  boundedRule: string;
  allBounded: boolean;
  services: Record<string, ServiceMemory>;
  timelineMiB: { atSeconds: number[]; services: Record<string, number[]> };
  logRecordsDropped: { total: number; byReason: Record<string, number>; byService: Record<string, number> };
  logRecordsShipped: number;
  spansNotExported: { metric: null; note: string; droppedSpansInWarnings: number; distinctExportErrorWarnings: number };
}
