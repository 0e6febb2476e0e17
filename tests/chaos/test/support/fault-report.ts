import type { Reconciliation } from './reconciliation';
import type { TrafficWindow } from './traffic';

export interface FaultOutcome {
  fault: string;
  /** What clients saw from the fault's start until the platform had recovered. */
  traffic: TrafficWindow;
  recoveryMs: number;
  reconciliation: Reconciliation;
}

/** The table `npm run test:chaos` prints: per fault, what clients got, how long recovery took, and the books. */
export function faultTable(outcomes: readonly FaultOutcome[]): string {
  const lines = [
    '| fault | requests served | errors returned (5xx or no answer) | answers during the fault | recovery | reconciliation |',
    '|---|---:|---:|---|---:|---|',
  ];
  for (const { fault, traffic, recoveryMs, reconciliation } of outcomes) {
    const books = reconciliation.problems.length === 0 ? `ok (${describeCounts(reconciliation)})` : `FAILED: ${reconciliation.problems.join('; ')}`;
    const answers = (['quote', 'payment', 'order', 'portfolio'] as const).map((operation) => `${operation} ${traffic.statuses(operation) || '-'}`).join('; ');
    lines.push(`| ${fault} | ${traffic.served} | ${traffic.errors.length} | ${answers} | ${(recoveryMs / 1000).toFixed(1)} s | ${books} |`);
  }
  return lines.join('\n');
}

function describeCounts({ counts }: Reconciliation): string {
  return `${counts.payments} payments, ${counts.orders} orders, ${counts.trades} trades, ${counts.auditEvents} audit events`;
}
