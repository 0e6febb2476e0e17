/** Figures of one measured run, by name. */
export type Figures<R> = Record<keyof R, number>;

/**
 * Runs every variant once per round, in turn (A B C D, A B C D, ...), so that a machine that gets
 * slower or faster during the benchmark affects every variant alike. Returns each variant's runs.
 */
export async function runAlternating<V extends string, R extends Figures<R>>(
  variants: readonly V[],
  rounds: number,
  runOne: (variant: V, round: number) => Promise<R>,
): Promise<Map<V, R[]>> {
  const runs = new Map<V, R[]>(variants.map((variant) => [variant, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) runs.get(variant)?.push(await runOne(variant, round));
  }
  return runs;
}

/** The median of each figure over runs: one noisy run (a GC storm, a neighbour's burst) does not move it. */
export function medianFigures<R extends Figures<R>>(runs: readonly R[]): R {
  if (runs.length === 0) throw new Error('no runs to summarise');
  const keys = Object.keys(runs[0]) as (keyof R)[];
  return Object.fromEntries(keys.map((key) => [key, median(runs.map((run) => run[key]))])) as R;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
