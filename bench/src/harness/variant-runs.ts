import { median, medianFigures, type Figures } from './alternating';

export type VariantSummary<R extends Figures<R>> = R & { runs: number; ratioToOff: number };

/**
 * Each variant's median figures and its throughput ratio to the uninstrumented run. The ratio is the
 * median of per-round ratios: both sides of one round ran a few seconds apart, on the same machine state.
 */
export function summariseAgainstOff<V extends string, R extends Figures<R>>(
  runs: Map<V, R[]>,
  off: V,
  throughputKey: keyof R & string,
): Record<V, VariantSummary<R>> {
  const offRuns = runs.get(off);
  if (!offRuns) throw new Error(`no runs of the "${off}" variant to compare with`);
  const summary = {} as Record<V, VariantSummary<R>>;
  for (const [variant, variantRuns] of runs) {
    const ratios = variantRuns.map((run, round) => run[throughputKey] / offRuns[round][throughputKey]);
    summary[variant] = { ...medianFigures(variantRuns), runs: variantRuns.length, ratioToOff: round3(median(ratios)) };
  }
  return summary;
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
