import { runCommand } from './errors';
import { parseTrafficArguments, TRAFFIC_USAGE } from './options';
import { progressLine, summaryText } from './report-format';
import { runTraffic, type TrafficProgress } from './run-traffic';

/*
 * npm run traffic -- [options]: realistic load through api-gateway until --duration or Ctrl-C.
 * Progress and notices go to stderr, the summary to stdout (JSON with --json). Exit status: 0 after a
 * run, 1 when it could not start (gateway unreachable or not ready, no user could sign in), 2 for bad
 * options. A second Ctrl-C quits at once, without a summary.
 */

/** Without a terminal (a log file, CI), one progress line every this often instead of every second. */
const PLAIN_PROGRESS_EVERY_MS = 10_000;

const err = (line: string): void => void process.stderr.write(`${line}\n`);
process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));

async function main(): Promise<number> {
  const options = parseTrafficArguments(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${TRAFFIC_USAGE}\n`);
    return 0;
  }

  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      err(`\n${signal} again: quitting without a summary`);
      process.exit(130);
    }
    stop.abort();
    if (!options.quiet) err(`\n${signal}: stopping; waiting for the requests in flight (Ctrl-C again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const terminal = process.stderr.isTTY === true;
  let lastPrintedMs = 0;
  const onProgress = (progress: TrafficProgress) => {
    if (terminal) process.stderr.write(`\r${progressLine(progress)}\x1b[K`);
    else if (progress.elapsedMs - lastPrintedMs >= PLAIN_PROGRESS_EVERY_MS - 500) {
      lastPrintedMs = progress.elapsedMs;
      err(progressLine(progress));
    }
  };

  try {
    const summary = await runTraffic(options, {
      signal: stop.signal,
      // Without a listener the run does not work out its progress at all (run-traffic calls onProgress?.()).
      onProgress: options.quiet ? undefined : onProgress,
      onNotice: (message) => options.quiet || err(`${terminal ? '\r\x1b[K' : ''}traffic: ${message}`),
    });
    if (terminal && !options.quiet) err('');
    process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `${summaryText(summary)}\n`);
    return 0;
  } catch (error) {
    if (terminal) err('');
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

runCommand('traffic', TRAFFIC_USAGE, main);
