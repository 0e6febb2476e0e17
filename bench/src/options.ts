import { parseArgs } from 'node:util';
import { RESULTS_FILE, PERFORMANCE_DOC } from './harness/paths';

export const SCENARIO_NAMES = ['trivial', 'real-path', 'platform', 'logging'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchOptions {
  scenarios: ScenarioName[];
  rounds: number;
  runSeconds: number;
  warmUpSeconds: number;
  soakMinutes: number;
  resultsFile: string;
  /** The document whose measured section is rewritten; null leaves docs alone (the harness test). */
  performanceDoc: string | null;
}

export const USAGE = `npm run bench -- [options]
  --scenarios LIST      comma-separated: ${SCENARIO_NAMES.join(', ')} (default: all)
  --rounds N            alternating runs per variant (default 3)
  --run-seconds S       length of one measured run (default 5)
  --warm-up-seconds S   load before measuring each variant (default 2)
  --soak-minutes M      minutes of load of the memory soak (default 10)
  --results FILE        where to write the JSON (default bench/results/latest.json)
  --no-doc              do not rewrite the measured section of docs/performance.md`;

export class BenchOptionsError extends Error {}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new BenchOptionsError(`--${name} must be a positive number (got "${value}")`);
  return parsed;
}

export function parseBenchOptions(argv: string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        scenarios: { type: 'string' },
        rounds: { type: 'string' },
        'run-seconds': { type: 'string' },
        'warm-up-seconds': { type: 'string' },
        'soak-minutes': { type: 'string' },
        results: { type: 'string' },
        'no-doc': { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new BenchOptionsError(error instanceof Error ? error.message : String(error));
  }
  const scenarios = (parsed.scenarios ?? SCENARIO_NAMES.join(',')).split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = scenarios.filter((name) => !(SCENARIO_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || scenarios.length === 0) {
    throw new BenchOptionsError(`--scenarios takes ${SCENARIO_NAMES.join(', ')} (unknown: ${unknown.join(', ') || 'none given'})`);
  }
  const rounds = positive('rounds', parsed.rounds, 3);
  if (!Number.isInteger(rounds)) throw new BenchOptionsError(`--rounds must be a whole number (got "${parsed.rounds}")`);
  return {
    scenarios: scenarios as ScenarioName[],
    rounds,
    runSeconds: positive('run-seconds', parsed['run-seconds'], 5),
    warmUpSeconds: positive('warm-up-seconds', parsed['warm-up-seconds'], 2),
    soakMinutes: positive('soak-minutes', parsed['soak-minutes'], 10),
    resultsFile: parsed.results ?? RESULTS_FILE,
    performanceDoc: parsed['no-doc'] ? null : PERFORMANCE_DOC,
  };
}
