import autocannon from 'autocannon';
import { totalCpuTimeMs } from './process-stats';

export interface ClosedLoopOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** Processes whose CPU time is charged to the requests (the services under test). */
  pids: readonly number[];
  headers?: Record<string, string>;
}

export interface ClosedLoopRun {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  cpuMsPerRequest: number;
  requests: number;
  non2xxResponses: number;
  connectionErrors: number;
}

/**
 * As many requests as the service answers, from a fixed number of connections (autocannon): the
 * throughput figure. Latency here is queueing under saturation; added latency is measured at a fixed rate.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopRun> {
  const cpuBefore = totalCpuTimeMs(options.pids);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    headers: options.headers,
  });
  const cpuMs = totalCpuTimeMs(options.pids) - cpuBefore;
  const requests = result.requests.total;
  return {
    requestsPerSecond: requests / options.durationSeconds,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    cpuMsPerRequest: requests > 0 ? cpuMs / requests : Number.NaN,
    requests,
    non2xxResponses: result.non2xx,
    connectionErrors: result.errors,
  };
}
