import type { BenchResults } from './results';
import type { AddedLatencyResult } from './scenarios/real-path';

export interface TargetVerdict {
  target: string;
  measured: string;
  /** null: not judged (the verdict's `measured` says why). */
  met: boolean | null;
}

const fixed = (value: number, digits = 2): string => value.toFixed(digits);

/** The targets that one run can judge on its own, for the scenarios that ran. */
export function evaluateTargets(results: BenchResults): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const { realPath, addedLatency, trivialRoute, platform } = results.scenarios;
  if (realPath) {
    const library = realPath.variants.library.ratioToOff;
    const sampled = realPath.variants['library-sampled-10'].ratioToOff;
    verdicts.push({ target: 'Real path, every request traced: ≥ 0.80 of uninstrumented throughput', measured: fixed(library), met: library >= 0.8 });
    verdicts.push({ target: 'Real path, 10% head sampling: ≥ 0.90 of uninstrumented throughput', measured: fixed(sampled), met: sampled >= 0.9 });
  }
  if (trivialRoute) {
    const times = trivialRoute.variants.library.requestsPerSecond / trivialRoute.variants['stock-otel'].requestsPerSecond;
    verdicts.push({ target: 'Trivial route: ≥ 3× the throughput of stock OpenTelemetry auto-instrumentation', measured: `${fixed(times)}×`, met: times >= 3 });
  }
  if (addedLatency) verdicts.push(addedP99Verdict(addedLatency));
  if (platform) {
    const worst = platform.scrapeCost.worstService;
    verdicts.push({ target: '/metrics of one service at full cardinality: < 10 ms', measured: `p99 ${fixed(worst.latencyP99Ms)} ms (${worst.byLatencyP99}, slower of text and OpenMetrics)`, met: worst.latencyP99Ms < 10 });
    const soak = platform.memorySoak;
    const unbounded = Object.entries(soak.services).filter(([, memory]) => !memory.bounded).map(([service]) => service);
    verdicts.push({
      target: `No service's memory grows without bound with Elasticsearch and the collector unreachable (${soak.loadMinutes} min of load)`,
      measured: unbounded.length === 0 ? 'all bounded' : `growing: ${unbounded.join(', ')}`,
      met: soak.allBounded,
    });
  }
  return verdicts;
}

const ADDED_P99_BOUND_MS = 1;

/**
 * Above the bound, not met. Below it, met only if the run could tell: when the uninstrumented variant's
 * own p99 moves by the bound or more from one round to the next, a small or negative difference is
 * that movement, not a measurement of what the library adds.
 */
function addedP99Verdict(added: AddedLatencyResult): TargetVerdict {
  const target = `Added p99 latency at 1,000 req/s on the real path: < ${ADDED_P99_BOUND_MS} ms`;
  const measured = `${fixed(added.addedLatencyP99Ms, 3)} ms`;
  if (added.addedLatencyP99Ms >= ADDED_P99_BOUND_MS) return { target, measured, met: false };
  const [lowest, highest] = added.offLatencyP99RangeMs;
  if (highest - lowest >= ADDED_P99_BOUND_MS) {
    return {
      target,
      measured: `${measured}, not resolvable: the uninstrumented p99 alone moved between ${fixed(lowest)} and ${fixed(highest)} ms from round to round`,
      met: null,
    };
  }
  return { target, measured, met: true };
}
