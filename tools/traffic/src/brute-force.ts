import { BRUTE_FORCE_USAGE, parseBruteForceArguments } from './brute-force-options';
import { runCommand } from './errors';
import { runBruteForce, type BruteForceTally } from './login-attack';

/*
 * node tools/traffic/dist/brute-force.js [options]: wrong passwords from one address until --duration,
 * SIGTERM or Ctrl-C, for the LoginBruteForce alert (`./start-monitoring.sh fault login-brute-force`
 * runs it in the background). One line every 10 s and one at the end, on stdout. Exit status 0 after
 * a run, 1 when the gateway is unreachable or the address unusable, 2 for bad options.
 */

const out = (line: string): void => void process.stdout.write(`${line}\n`);

function counts(tally: BruteForceTally): string {
  const statuses = Object.entries(tally.otherStatuses);
  const other = statuses.reduce((sum, [, count]) => sum + count, tally.networkErrors);
  const others = statuses.map(([status, count]) => `${status} ×${count}`);
  if (tally.networkErrors > 0) others.push(`network error ×${tally.networkErrors}`);
  if (tally.skipped > 0) others.push(`${tally.skipped} not sent: too many unanswered`);
  return `${tally.attempts} attempts, ${tally.unauthorized} answered 401, ${tally.rateLimited} answered 429, ${other} other${others.length > 0 ? ` (${others.join(', ')})` : ''}`;
}

async function main(): Promise<number> {
  const options = parseBruteForceArguments(process.argv.slice(2));
  if (options === 'help') {
    out(BRUTE_FORCE_USAGE);
    return 0;
  }
  const { sourceAddress, gatewayUrl, email, attemptsPerSecond } = options;
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    out(`brute-force: wrong passwords for ${email} from ${sourceAddress} to ${gatewayUrl.origin}/api/users/login, ${attemptsPerSecond} a second`);
    const tally = await runBruteForce(options, {
      signal: stop.signal,
      onReport: (sofar) => out(`brute-force ${Math.round(sofar.elapsedMs / 1000)} s: ${counts(sofar)}`),
    });
    out(`brute-force finished after ${(tally.elapsedMs / 1000).toFixed(1)} s from ${sourceAddress}: ${counts(tally)}`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runCommand('brute-force', BRUTE_FORCE_USAGE, main);
