import { createHistogram } from 'node:perf_hooks';
import { Pool } from 'undici';
import { totalCpuTimeMs } from './process-stats';

export interface PlannedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface FixedRateOptions {
  origin: string;
  ratePerSecond: number;
  durationSeconds: number;
  /** Request number `index` of the run. */
  request: (index: number) => PlannedRequest;
  pids: readonly number[];
  connections?: number;
  /** A response not complete after this counts as failed. */
  timeoutMs?: number;
}

export interface FixedRateRun {
  targetRatePerSecond: number;
  achievedRatePerSecond: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  cpuMsPerRequest: number;
  requests: number;
  failedRequests: number;
}

const NS_PER_MS = 1e6;

/**
 * Open-loop load: request i is due at start + i / rate whether or not earlier ones have answered, and
 * its latency counts from when it was due (no coordinated omission: a stall shows as latency, not as
 * fewer requests).
 */
export async function runFixedRate(options: FixedRateOptions): Promise<FixedRateRun> {
  const pool = new Pool(options.origin, { connections: options.connections ?? 64, pipelining: 1 });
  const latencies = createHistogram();
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();

  const send = (index: number, dueAt: bigint): void => {
    const planned = options.request(index);
    const done = pool
      .request({ ...planned, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
      .then(async (response) => {
        await response.body.dump();
        if (response.statusCode >= 400) failed++;
      })
      .catch(() => {
        failed++;
      })
      .finally(() => {
        latencies.record(Math.max(1, Number(process.hrtime.bigint() - dueAt)));
        inFlight.delete(done);
      });
    inFlight.add(done);
  };

  const cpuBefore = totalCpuTimeMs(options.pids);
  const startedAt = process.hrtime.bigint();
  const intervalNs = 1e9 / options.ratePerSecond;
  let sent = 0;
  while (sent < total) {
    const elapsedNs = Number(process.hrtime.bigint() - startedAt);
    const due = Math.min(total, Math.floor(elapsedNs / intervalNs) + 1);
    for (; sent < due; sent++) send(sent, startedAt + BigInt(Math.round(sent * intervalNs)));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  const elapsedSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const cpuMs = totalCpuTimeMs(options.pids) - cpuBefore;
  await pool.close();

  return {
    targetRatePerSecond: options.ratePerSecond,
    achievedRatePerSecond: total / elapsedSeconds,
    latencyP50Ms: latencies.percentile(50) / NS_PER_MS,
    latencyP95Ms: latencies.percentile(95) / NS_PER_MS,
    latencyP99Ms: latencies.percentile(99) / NS_PER_MS,
    cpuMsPerRequest: total > 0 ? cpuMs / total : Number.NaN,
    requests: total,
    failedRequests: failed,
  };
}
