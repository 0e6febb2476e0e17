import type { RecordableHistogram } from 'node:perf_hooks';
import { ALL_ACTIONS, groupOf, type ActionGroup, type ActionMix, type ActionName } from './action-mix';
import { newLatencyHistogram, type RequestStats } from './request-stats';
import type { SourceAddressMode } from './source-addresses';

/** Requests by what became of them; `requests` is the sum of the other five. */
export interface OutcomeCounts {
  requests: number;
  /** 2xx */
  ok: number;
  /** 4xx */
  clientErrors: number;
  /** 5xx */
  serverErrors: number;
  /** No answer: refused, reset, timed out. */
  networkErrors: number;
  /** 1xx and 3xx, which the gateway never sends. */
  otherStatuses: number;
}

export interface LatencyPercentiles {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface OutcomeSummary extends OutcomeCounts {
  /** Requests per HTTP status, e.g. `{"200": 10, "402": 1}`. */
  statuses: Record<string, number>;
  /** Null when no request was made. */
  latency: LatencyPercentiles | null;
}

export interface ActionSummary extends OutcomeSummary {
  /** api-gateway's feature name of the route. */
  action: ActionName;
  group: ActionGroup | 'session';
}

export interface TrafficSummary {
  runId: string;
  gatewayUrl: string;
  startedAt: string;
  durationMs: number;
  stoppedBy: 'duration' | 'signal';
  settings: { ratePerSecond: number; users: number; concurrency: number; durationMs: number | null; mix: ActionMix; sourceAddresses: SourceAddressMode };
  sourceAddresses: { enabled: boolean; count: number; first: string | null; last: string | null; note: string };
  users: { planned: number; signedIn: number; failed: number };
  /** Arrivals of the open-loop process: each started one action or was dropped because `concurrency` actions were in flight. */
  arrivals: { total: number; started: number; dropped: number; byGroup: Record<ActionGroup, number> };
  actions: ActionSummary[];
  total: OutcomeSummary;
  /** Up to five different reasons requests got no answer. */
  networkErrorSamples: string[];
  /** Requests answered (or failed) per second of the run. */
  achievedRatePerSecond: number;
}

const microsToMs = (micros: number) => Math.round(micros / 10) / 100;

export function percentilesOf(histogram: RecordableHistogram): LatencyPercentiles | null {
  if (histogram.count === 0) return null;
  return {
    p50Ms: microsToMs(histogram.percentile(50)),
    p95Ms: microsToMs(histogram.percentile(95)),
    p99Ms: microsToMs(histogram.percentile(99)),
    maxMs: microsToMs(histogram.max),
  };
}

/** Counts from a status tally and the requests that got no answer. */
export function countOutcomes(statuses: ReadonlyMap<number, number>, networkErrors: number): OutcomeCounts {
  const counts: OutcomeCounts = { requests: networkErrors, ok: 0, clientErrors: 0, serverErrors: 0, networkErrors, otherStatuses: 0 };
  for (const [status, count] of statuses) {
    counts.requests += count;
    if (status >= 200 && status < 300) counts.ok += count;
    else if (status >= 400 && status < 500) counts.clientErrors += count;
    else if (status >= 500 && status < 600) counts.serverErrors += count;
    else counts.otherStatuses += count;
  }
  return counts;
}

export function addOutcomes(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  return {
    requests: a.requests + b.requests,
    ok: a.ok + b.ok,
    clientErrors: a.clientErrors + b.clientErrors,
    serverErrors: a.serverErrors + b.serverErrors,
    networkErrors: a.networkErrors + b.networkErrors,
    otherStatuses: a.otherStatuses + b.otherStatuses,
  };
}

const statusRecord = (statuses: ReadonlyMap<number, number>): Record<string, number> =>
  Object.fromEntries([...statuses].sort(([a], [b]) => a - b).map(([status, count]) => [String(status), count]));

/** One line per action that was requested, in the order of ALL_ACTIONS, and their total. */
export function summarizeRequests(stats: RequestStats): { actions: ActionSummary[]; total: OutcomeSummary } {
  const actions: ActionSummary[] = [];
  const allLatency = newLatencyHistogram();
  const allStatuses = new Map<number, number>();
  let total = countOutcomes(new Map(), 0);
  for (const action of ALL_ACTIONS) {
    const tally = stats.byAction.get(action);
    if (!tally) continue;
    const counts = countOutcomes(tally.statuses, tally.networkErrors);
    actions.push({ action, group: groupOf(action), ...counts, statuses: statusRecord(tally.statuses), latency: percentilesOf(tally.latency) });
    total = addOutcomes(total, counts);
    allLatency.add(tally.latency);
    for (const [status, count] of tally.statuses) allStatuses.set(status, (allStatuses.get(status) ?? 0) + count);
  }
  return { actions, total: { ...total, statuses: statusRecord(allStatuses), latency: percentilesOf(allLatency) } };
}
