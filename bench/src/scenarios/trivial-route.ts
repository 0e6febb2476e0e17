import type { ServiceProcess } from '@ai-finance/testing';
import { runAlternating } from '../harness/alternating';
import type { BenchContext } from '../harness/bench-context';
import { runClosedLoop, type ClosedLoopRun } from '../harness/closed-loop';
import { TRIVIAL_SERVICE_MAIN } from '../harness/paths';
import { summariseAgainstOff, type VariantSummary } from '../harness/variant-runs';
import { SpanSink } from '../harness/span-sink';
import { pidOf, variantProcess } from '../harness/variant-process';
import { TRIVIAL_ROUTE } from '../trivial-service/route';
import { VARIANT_NAMES, VARIANTS, type VariantName } from '../variants';

export const CONNECTIONS = 50;

export interface TrivialRouteResult {
  route: string;
  connections: number;
  variants: Record<VariantName, VariantSummary<ClosedLoopRun>>;
  spansExported: number;
}

/** Scenario 1: one service, one JSON route, the four variants side by side at saturation. */
export async function measureTrivialRoute(context: BenchContext): Promise<TrivialRouteResult> {
  const sink = new SpanSink();
  await sink.start();
  const services = new Map<VariantName, ServiceProcess>();
  try {
    for (const name of VARIANT_NAMES) {
      services.set(name, await variantProcess('bench-trivial', VARIANTS[name], sink.endpoint, {}, TRIVIAL_SERVICE_MAIN));
    }
    await Promise.all([...services.values()].map((service) => service.start()));
    const load = (name: VariantName, durationSeconds: number): Promise<ClosedLoopRun> => {
      const service = services.get(name) as ServiceProcess;
      return runClosedLoop({ url: `${service.url}${TRIVIAL_ROUTE}`, connections: CONNECTIONS, durationSeconds, pids: [pidOf(service)] });
    };
    for (const name of VARIANT_NAMES) await load(name, context.warmUpSeconds);
    const runs = await runAlternating(VARIANT_NAMES, context.rounds, async (name, round) => {
      const run = await load(name, context.runSeconds);
      context.progress(`trivial route, round ${round + 1}, ${name}: ${Math.round(run.requestsPerSecond)} req/s`);
      return run;
    });
    return { route: TRIVIAL_ROUTE, connections: CONNECTIONS, variants: summariseAgainstOff(runs, 'off', 'requestsPerSecond'), spansExported: await sink.spanCount() };
  } finally {
    await Promise.all([...services.values()].map((service) => service.stop()));
    await sink.stop();
  }
}
