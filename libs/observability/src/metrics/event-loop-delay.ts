import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

const NS_PER_SECOND = 1e9;

/*
 * prom-client's event-loop collector, series for series, but for nodejs_eventloop_lag_stddev_seconds:
 * reading the delay histogram's standard deviation walks every bucket of it, 0.2 to 0.26 ms at each
 * scrape, more than the rest of a small service's scrape (docs/performance.md, "A scrape of
 * api-gateway"). No dashboard, rule or alert reads it. The values and their meaning are prom-client's:
 * the delay includes the sampling interval itself (docs/performance.md, "Open problems").
 */
export function collectEventLoopDelay(registry: Registry, resolutionMs: number): void {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  const gauge = (name: string, help: string, aggregator: 'average' | 'min' | 'max', collect?: () => void): Gauge =>
    new Gauge({ name, help, registers: [registry], aggregator, collect });

  const lag = gauge('nodejs_eventloop_lag_seconds', 'Lag of event loop in seconds.', 'average', () => {
    // As prom-client: how long a setImmediate waits, seen by the next scrape.
    const scheduledAt = process.hrtime.bigint();
    setImmediate(() => lag.set(Number(process.hrtime.bigint() - scheduledAt) / NS_PER_SECOND));
    min.set(histogram.min / NS_PER_SECOND);
    max.set(histogram.max / NS_PER_SECOND);
    mean.set(histogram.mean / NS_PER_SECOND);
    p50.set(histogram.percentile(50) / NS_PER_SECOND);
    p90.set(histogram.percentile(90) / NS_PER_SECOND);
    p99.set(histogram.percentile(99) / NS_PER_SECOND);
    histogram.reset();
  });
  const min = gauge('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', 'min');
  const max = gauge('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', 'max');
  const mean = gauge('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', 'average');
  const p50 = gauge('nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.', 'average');
  const p90 = gauge('nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.', 'average');
  const p99 = gauge('nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.', 'average');
}
