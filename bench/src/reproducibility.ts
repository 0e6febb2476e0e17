import { execFileSync } from 'node:child_process';
import { WORKSPACE_ROOT } from './harness/paths';
import type { BenchResults } from './results';
import type { TargetVerdict } from './targets';
import { VARIANT_NAMES } from './variants';

/** "A second run of the same command prints ratios within a few percent": a few, taken as 5%. */
export const REPRODUCIBLE_WITHIN = 0.05;
const COMPARED_SCENARIOS = [
  ['trivialRoute', 'trivial route'],
  ['realPath', 'real path'],
] as const;
/** What the services run: a run that changed only the harness, its test support or the docs measures the same code. */
const SERVICE_CODE = ['apps', 'libs', ':(exclude)libs/testing', 'package-lock.json'];

const settingsOf = (results: BenchResults): string => JSON.stringify(results.settings);

/**
 * The reproducibility target, against the previous run on the same Node.js major: every throughput ratio
 * to the uninstrumented run, compared one by one. Judged only when both runs measured the same service
 * code with the same settings; otherwise the verdict says why it was not judged.
 */
export function evaluateReproducibility(current: BenchResults, previous: BenchResults | undefined, sameServiceCode: boolean): TargetVerdict {
  const target = `Reproducible: each throughput ratio within ${REPRODUCIBLE_WITHIN * 100}% of the previous run on this Node.js major`;
  const notJudged = (why: string): TargetVerdict => ({ target, measured: `not judged: ${why}`, met: null });
  if (!previous) return notJudged('no earlier run to compare with');
  const against = `the run of ${previous.startedAt.slice(0, 16).replace('T', ' ')} UTC at ${previous.machine.commit}`;
  if (!sameServiceCode) return notJudged(`${against} measured other service code`);
  if (settingsOf(previous) !== settingsOf(current)) return notJudged(`${against} used other settings`);

  let worst: { change: number; label: string } | undefined;
  for (const [key, name] of COMPARED_SCENARIOS) {
    const now = current.scenarios[key];
    const before = previous.scenarios[key];
    if (!now || !before) continue;
    for (const variant of VARIANT_NAMES) {
      if (variant === 'off') continue;
      const a = before.variants[variant]?.ratioToOff;
      const b = now.variants[variant].ratioToOff;
      if (typeof a !== 'number' || a <= 0) continue;
      const change = Math.abs(b - a) / a;
      if (!worst || change > worst.change) worst = { change, label: `${name}, ${variant}: ${a.toFixed(2)} → ${b.toFixed(2)}` };
    }
  }
  if (!worst) return notJudged(`${against} measured none of the same throughput scenarios`);
  return { target, measured: `largest change ${(worst.change * 100).toFixed(1)}% (${worst.label}) against ${against}`, met: worst.change <= REPRODUCIBLE_WITHIN };
}

/** Whether the service code at `commit` is what the working tree holds now (committed, nothing uncommitted). */
export function sameServiceCodeAs(commit: string): boolean {
  if (!/^[0-9a-f]{7,40}$/.test(commit)) return false; // 'unknown', or a run with uncommitted changes
  try {
    execFileSync('git', ['diff', '--quiet', commit, '--', ...SERVICE_CODE], { cwd: WORKSPACE_ROOT, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
