import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BenchContext } from './harness/bench-context';
import type { BenchOptions } from './options';
import { nodeMajorOf, withResults } from './report';
import { describeMachine, type BenchResults } from './results';
import { measureLogging } from './scenarios/logging';
import { measureOnPlatform } from './scenarios/platform-scenarios';
import { measureRealPath } from './scenarios/real-path';
import { measureTrivialRoute } from './scenarios/trivial-route';
import { evaluateReproducibility, sameServiceCodeAs } from './reproducibility';
import { evaluateTargets } from './targets';

/** Runs the chosen scenarios one after another (never two at once: they would measure each other). */
export async function runBench(options: BenchOptions, progress: (message: string) => void): Promise<BenchResults> {
  const startedAt = new Date();
  // The commit that was built and is being measured: files edited during a run are not part of it.
  const machine = describeMachine();
  const context: BenchContext = { rounds: options.rounds, runSeconds: options.runSeconds, warmUpSeconds: options.warmUpSeconds, soakMinutes: options.soakMinutes, progress };
  const scenarios: BenchResults['scenarios'] = {};
  if (options.scenarios.includes('trivial')) scenarios.trivialRoute = await measureTrivialRoute(context);
  if (options.scenarios.includes('real-path')) Object.assign(scenarios, await measureRealPath(context));
  if (options.scenarios.includes('logging')) scenarios.logging = await measureLogging(context);
  if (options.scenarios.includes('platform')) scenarios.platform = await measureOnPlatform(context);

  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine,
    settings: { rounds: options.rounds, runSeconds: options.runSeconds, warmUpSeconds: options.warmUpSeconds, soakMinutes: options.soakMinutes },
    scenarios,
    targets: [],
  };
  // Also kept per Node.js major, beside the latest run: the services run on 20 here and on 24 in the image.
  const perRuntimeFile = join(dirname(options.resultsFile), `node${nodeMajorOf(results)}.json`);
  const previous = previousRun(perRuntimeFile);
  results.targets = [...evaluateTargets(results), evaluateReproducibility(results, previous, previous !== undefined && sameServiceCodeAs(previous.machine.commit))];
  mkdirSync(dirname(options.resultsFile), { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(options.resultsFile, json);
  writeFileSync(perRuntimeFile, json);
  if (options.performanceDoc) {
    const document = existsSync(options.performanceDoc) ? readFileSync(options.performanceDoc, 'utf8') : '# Performance\n';
    writeFileSync(options.performanceDoc, withResults(document, results));
  }
  return results;
}

/**
 * The last run on this Node.js major, which this run is about to replace; none if absent, unreadable or
 * of another shape (an older harness): comparing with it must never cost this run its results.
 */
function previousRun(file: string): BenchResults | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResults> | null;
    const complete = typeof parsed?.startedAt === 'string' && typeof parsed.machine?.commit === 'string' && parsed.settings !== undefined && parsed.scenarios !== undefined;
    return complete ? (parsed as BenchResults) : undefined;
  } catch {
    return undefined;
  }
}
