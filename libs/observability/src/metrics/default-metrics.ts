import { collectDefaultMetrics, type Registry } from 'prom-client';
import { collectEventLoopDelay } from './event-loop-delay';

/** Every 20 ms: the event-loop delay histogram's own timer, which wakes an idle service. */
const EVENT_LOOP_RESOLUTION_MS = 20;
const PROM_CLIENT_EVENT_LOOP_COLLECTOR = 'eventLoopLag';

type DefaultCollector = (registry: Registry, config: Record<string, unknown>) => void;

/**
 * CPU, resident memory, file descriptors, heap, handles, GC durations and event-loop delay: prom-client's
 * default metrics, each registered by prom-client's own collector, but the event-loop one by ours
 * (event-loop-delay.ts). collectDefaultMetrics cannot leave one out, and removing its series afterwards
 * would leave its histogram and timer running; so the collectors are called one by one, by the names
 * prom-client lists (a test holds the result to collectDefaultMetrics').
 */
export function registerDefaultMetrics(registry: Registry): void {
  for (const name of collectDefaultMetrics.metricsList) {
    if (name === PROM_CLIENT_EVENT_LOOP_COLLECTOR) {
      collectEventLoopDelay(registry, EVENT_LOOP_RESOLUTION_MS);
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- prom-client's collectors have no typed entry point.
    const collector = require(`prom-client/lib/metrics/${name}`) as DefaultCollector;
    // No prefix, extra labels or GC buckets of our own: each collector's defaults, as before.
    collector(registry, {});
  }
}
