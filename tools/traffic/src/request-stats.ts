import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';
import type { ActionName } from './action-mix';

/** What became of one request: an HTTP status, or no answer at all. */
export type RequestOutcome = number | 'network';

/** Latencies in microseconds from 1 µs to 10 min: room for any answer within the request timeout. */
export const newLatencyHistogram = (): RecordableHistogram => createHistogram({ lowest: 1, highest: 600_000_000, figures: 3 });

export interface ActionTally {
  statuses: Map<number, number>;
  networkErrors: number;
  latency: RecordableHistogram;
}

export interface WindowSnapshot {
  requests: number;
  latency: RecordableHistogram;
  spanMs: number;
}

/** Slices of the sliding window the progress line reports rate and latency over. */
const WINDOW_SLICES = 10;
const SLICE_MS = 1_000;

/**
 * Every answer the run got, per action, with its latency; plus a sliding 10-second window (ten
 * one-second slices) for the live rate and percentiles.
 */
export class RequestStats {
  readonly byAction = new Map<ActionName, ActionTally>();
  private readonly slices: Array<{ index: number; requests: number; latency: RecordableHistogram }> = [];

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly startedAtMs = now(),
  ) {}

  /** Up to five different reasons requests got no answer, for the summary. */
  readonly networkErrorSamples = new Set<string>();

  record(action: ActionName, outcome: RequestOutcome, latencyMs: number, networkError?: string): void {
    if (networkError !== undefined && this.networkErrorSamples.size < 5) this.networkErrorSamples.add(networkError);
    const tally = this.byAction.get(action) ?? { statuses: new Map(), networkErrors: 0, latency: newLatencyHistogram() };
    this.byAction.set(action, tally);
    if (outcome === 'network') tally.networkErrors += 1;
    else tally.statuses.set(outcome, (tally.statuses.get(outcome) ?? 0) + 1);
    const micros = Math.max(1, Math.round(latencyMs * 1000));
    tally.latency.record(micros);
    const slice = this.currentSlice();
    slice.requests += 1;
    slice.latency.record(micros);
  }

  /** The last ten seconds (less at the start of the run): requests answered and their latencies. */
  recentWindow(): WindowSnapshot {
    const current = this.sliceIndex();
    const latency = newLatencyHistogram();
    let requests = 0;
    for (const slice of this.slices) {
      if (slice.index <= current - WINDOW_SLICES) continue;
      requests += slice.requests;
      latency.add(slice.latency);
    }
    // Nine whole slices and the current one so far.
    const windowStartMs = Math.max(0, (current - WINDOW_SLICES + 1) * SLICE_MS);
    const spanMs = Math.max(1, this.now() - this.startedAtMs - windowStartMs);
    return { requests, latency, spanMs };
  }

  private sliceIndex(): number {
    return Math.floor((this.now() - this.startedAtMs) / SLICE_MS);
  }

  private currentSlice() {
    const index = this.sliceIndex();
    let slice = this.slices.at(-1);
    if (!slice || slice.index !== index) {
      slice = { index, requests: 0, latency: newLatencyHistogram() };
      this.slices.push(slice);
      while (this.slices.length > WINDOW_SLICES) this.slices.shift();
    }
    return slice;
  }
}
