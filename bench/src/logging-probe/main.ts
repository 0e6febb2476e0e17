/*
 * Scenario 6's subject, run as its own process with stdout on /dev/null: the library's log pipeline
 * (the service logger and the access log), as a service builds it from its environment. It writes
 * lines and prints one JSON result on stderr. LOGGING_PROBE_MODE says what to measure:
 * - `throughput`: as many lines as possible for LOGGING_PROBE_SECONDS, in batches that yield to the loop;
 * - `paced`: LOGGING_PROBE_LINES_PER_SECOND lines per second, measuring event-loop delay meanwhile.
 */
import { AccessLog, createLogPipeline, resolveObservabilityConfig, ServiceMetrics, type AccessLogRecord } from '@ai-finance/observability';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RECORD: AccessLogRecord = {
  request_id: '5b0b4b63-3d0e-4c53-9a4f-4f1b0d6f5e21',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  user_id: 'd9428888-122b-4b7b-9a3f-6f0c4a5e7b11',
  method: 'GET',
  route: '/quotes/:symbol',
  path: '/quotes/AAPL',
  status_code: 200,
  duration_ms: 1.234,
  ip_address: '127.0.0.1',
  user_agent: 'bench',
};

/*
 * monitorEventLoopDelay records the time between two firings of its own timer, so an idle loop reads as
 * the interval itself (10.09 ms here): the delay is what comes on top of it.
 */
const DELAY_SAMPLING_INTERVAL_MS = 10;
const NS_PER_MS = 1e6;

function delayBeyondIntervalMs(recordedNs: number): number {
  return Math.max(0, recordedNs / NS_PER_MS - DELAY_SAMPLING_INTERVAL_MS);
}

async function main(): Promise<void> {
  const seconds = Number(process.env.LOGGING_PROBE_SECONDS ?? '5');
  const metrics = new ServiceMetrics('logging-probe', { defaultMetrics: false });
  const pipeline = createLogPipeline(resolveObservabilityConfig({ serviceName: 'logging-probe' }), metrics);
  const accessLog: AccessLog = pipeline.accessLog;
  const writeOne = (index: number): void => {
    if (index % 2 === 0) accessLog.write('info', RECORD);
    else pipeline.logger.info({ order_id: 'ord-1', symbol: 'AAPL', quantity: 10 }, 'order placed');
  };
  const delay = monitorEventLoopDelay({ resolution: DELAY_SAMPLING_INTERVAL_MS });
  delay.enable();
  const startedAt = process.hrtime.bigint();
  const deadline = startedAt + BigInt(Math.round(seconds * 1e9));
  let lines = 0;
  if (process.env.LOGGING_PROBE_MODE === 'paced') {
    const perSecond = Number(process.env.LOGGING_PROBE_LINES_PER_SECOND ?? '2000');
    while (process.hrtime.bigint() < deadline) {
      const due = Math.floor((Number(process.hrtime.bigint() - startedAt) / 1e9) * perSecond);
      for (; lines < due; lines++) writeOne(lines);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } else {
    while (process.hrtime.bigint() < deadline) {
      for (let i = 0; i < 500; i++) writeOne(lines++);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  delay.disable();
  const elapsedSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const dropped = (await metrics.registry.getSingleMetric('log_records_dropped_total')?.get())?.values.reduce((sum, value) => sum + value.value, 0) ?? 0;
  process.stderr.write(
    `${JSON.stringify({
      lines,
      linesPerSecond: Math.round(lines / elapsedSeconds),
      eventLoopDelayP50Ms: delayBeyondIntervalMs(delay.percentile(50)),
      eventLoopDelayP99Ms: delayBeyondIntervalMs(delay.percentile(99)),
      eventLoopDelayMaxMs: delayBeyondIntervalMs(delay.max),
      recordsDroppedForElasticsearch: dropped,
      residentMemoryMiB: Math.round(process.memoryUsage().rss / 1048576),
    })}\n`,
  );
  pipeline.close();
  process.exit(0);
}

void main();
