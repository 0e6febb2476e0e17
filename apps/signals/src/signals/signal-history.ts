import type { SignalDirection } from '@ai-finance/contracts';
import { Database } from '@ai-finance/database';
import { Injectable } from '@nestjs/common';

export const ACCURACY_WINDOWS = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days' } as const;
export type AccuracyWindow = keyof typeof ACCURACY_WINDOWS;

export interface SignalView {
  signalId: string;
  symbol: string;
  direction: SignalDirection;
  confidence: number;
  priceAtSignal: string;
  generatedAt: string;
  evaluateAfter: string;
  outcome: 'correct' | 'incorrect' | null;
  realisedPrice: string | null;
}

export interface Accuracy {
  window: AccuracyWindow;
  evaluated: number;
  correct: number;
  /** correct / evaluated, rounded to 4 decimals; null when nothing was evaluated in the window. */
  accuracy: number | null;
}

interface SignalRow {
  signal_id: string;
  symbol: string;
  direction: SignalDirection;
  confidence: string;
  price_at_signal: string;
  generated_at: Date;
  evaluate_after: Date;
  outcome: 'correct' | 'incorrect' | null;
  realised_price: string | null;
}

/** Reads over the signals table: the latest signals and accuracy over a window of evaluation time. */
@Injectable()
export class SignalHistory {
  constructor(private readonly database: Database) {}

  async latest(symbol: string | undefined, limit: number): Promise<SignalView[]> {
    const { rows } = await this.database.query<SignalRow>(
      'select_latest_signals',
      `SELECT signal_id, symbol, direction, confidence::text, price_at_signal::text, generated_at, evaluate_after, outcome, realised_price::text
       FROM signals WHERE ($1::text IS NULL OR symbol = $1) ORDER BY generated_at DESC, row_seq DESC LIMIT $2`,
      [symbol ?? null, limit],
    );
    return rows.map((row) => ({
      signalId: row.signal_id,
      symbol: row.symbol,
      direction: row.direction,
      confidence: Number(row.confidence),
      priceAtSignal: row.price_at_signal,
      generatedAt: row.generated_at.toISOString(),
      evaluateAfter: row.evaluate_after.toISOString(),
      outcome: row.outcome,
      realisedPrice: row.realised_price,
    }));
  }

  /** Signals evaluated within the window ending now (by evaluation time, which is the tick's time). */
  async accuracy(windows: readonly AccuracyWindow[]): Promise<Accuracy[]> {
    const { rows } = await this.database.query<{ window: AccuracyWindow; evaluated: number; correct: number }>(
      'select_signal_accuracy',
      `SELECT w.name AS window,
              (count(s.signal_id))::int AS evaluated,
              (count(s.signal_id) FILTER (WHERE s.outcome = 'correct'))::int AS correct
       FROM unnest($1::text[], $2::interval[]) AS w(name, span)
       LEFT JOIN signals s ON s.outcome IS NOT NULL AND s.evaluated_at > now() - w.span
       GROUP BY w.name`,
      [windows, windows.map((window) => ACCURACY_WINDOWS[window])],
    );
    return windows.map((window) => {
      const row = rows.find((candidate) => candidate.window === window);
      const evaluated = row?.evaluated ?? 0;
      const correct = row?.correct ?? 0;
      return { window, evaluated, correct, accuracy: evaluated === 0 ? null : Math.round((correct / evaluated) * 10_000) / 10_000 };
    });
  }
}
