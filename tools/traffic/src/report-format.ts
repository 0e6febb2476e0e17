import { formatClock } from './durations';
import type { TrafficProgress } from './run-traffic';
import type { LatencyPercentiles, OutcomeSummary, TrafficSummary } from './summary';

const ms = (value: number | undefined): string => (value === undefined ? '-' : value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0));
const thousands = (value: number): string => value.toLocaleString('en-US');

function errorCount(counts: Omit<OutcomeSummary, 'statuses' | 'latency'>): number {
  return counts.clientErrors + counts.serverErrors + counts.networkErrors + counts.otherStatuses;
}

/** `00:01:05  1,234 req  10.1 req/s  errors 3 (4xx 3, 5xx 0, net 0)  p50 4.12 ms  p95 12.3 ms  p99 31.0 ms  users 50/50  in flight 2  dropped 0` */
export function progressLine(progress: TrafficProgress): string {
  const latency: Partial<LatencyPercentiles> = progress.recentLatency ?? {};
  return [
    formatClock(progress.elapsedMs),
    `${thousands(progress.requests)} req`,
    `${progress.ratePerSecond.toFixed(1)} req/s`,
    `errors ${thousands(errorCount(progress))} (4xx ${progress.clientErrors}, 5xx ${progress.serverErrors}, net ${progress.networkErrors})`,
    `p50 ${ms(latency.p50Ms)} ms  p95 ${ms(latency.p95Ms)} ms  p99 ${ms(latency.p99Ms)} ms`,
    `users ${progress.usersSignedIn}/${progress.users}`,
    `in flight ${progress.inFlight}`,
    `dropped ${thousands(progress.droppedArrivals)}`,
  ].join('  ');
}

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd());
}

function row(name: string, group: string, counts: OutcomeSummary): string[] {
  const latency: Partial<LatencyPercentiles> = counts.latency ?? {};
  return [name, group, thousands(counts.requests), thousands(counts.ok), thousands(counts.clientErrors), thousands(counts.serverErrors), thousands(counts.networkErrors), ms(latency.p50Ms), ms(latency.p95Ms), ms(latency.p99Ms)];
}

/** The end-of-run report for a person: settings, users, arrivals, a line per action, and every answer that was not 2xx. */
export function summaryText(summary: TrafficSummary): string {
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const { sourceAddresses: addresses, users, arrivals } = summary;
  const lines = [
    `Traffic through ${summary.gatewayUrl} (run ${summary.runId}): ${seconds} s, stopped by ${summary.stoppedBy === 'duration' ? 'the end of --duration' : 'a signal'}`,
    `  users: ${users.signedIn} of ${users.planned} signed in, ${users.failed} failed` +
      (users.planned - users.signedIn - users.failed > 0 ? `, ${users.planned - users.signedIn - users.failed} not yet when the run ended` : '') +
      '; ' +
      (addresses.enabled ? `${addresses.count} source addresses (${addresses.first} to ${addresses.last})` : 'one source address for all'),
    `  arrivals: ${thousands(arrivals.total)} at ${summary.settings.ratePerSecond}/s (${thousands(arrivals.started)} started, ${thousands(arrivals.dropped)} dropped at ${summary.settings.concurrency} in flight); ` +
      `${thousands(summary.total.requests)} requests, ${summary.achievedRatePerSecond} per second`,
    '',
    ...table([
      ['action', 'group', 'requests', '2xx', '4xx', '5xx', 'net', 'p50 ms', 'p95 ms', 'p99 ms'],
      ...summary.actions.map((action) => row(action.action, action.group, action)),
      row('total', '', summary.total),
    ]).map((line) => `  ${line}`),
  ];
  const unusual = summary.actions.flatMap((action) =>
    Object.entries(action.statuses)
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, count]) => `${action.action} ${status} ×${count}`),
  );
  lines.push('', unusual.length === 0 ? '  every answer was 2xx' : `  answers other than 2xx: ${unusual.join(', ')}`);
  if (summary.networkErrorSamples.length > 0) lines.push(`  network errors: ${summary.networkErrorSamples.join('; ')}`);
  return lines.join('\n');
}
