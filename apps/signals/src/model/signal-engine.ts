import { EVENTS, type MarketTick, type SignalDirection, type SignalEvaluated, type SignalGenerated } from '@ai-finance/contracts';
import { Database, type Transaction } from '@ai-finance/database';
import { Outbox } from '@ai-finance/messaging';
import { SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SIGNALS_CONFIG, type SignalsConfig } from '../config';
import { SIGNALS_METRICS, type SignalsMetrics } from '../metrics';
import { Decimal, initialState, step, type Crossing, type SymbolState } from './crossover';
import { ModelDegradation } from './model-degradation';

interface DueSignalRow {
  signal_id: string;
  direction: SignalDirection;
  price_at_signal: string;
}

/**
 * Runs every tick through the crossover model and the evaluation of due signals. Each tick is one
 * transaction: its price in price_history, the model state, evaluated signals and a new signal with their
 * outbox events. The in-memory state moves on only after that commits, so a failed tick is retried from
 * the same state. One instance per deployment: the state of a symbol lives in this process.
 */
@Injectable()
export class SignalEngine {
  private readonly states = new Map<string, SymbolState>();

  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly degradation: ModelDegradation,
    @Inject(SIGNALS_CONFIG) private readonly config: SignalsConfig,
    @Inject(SIGNALS_METRICS) private readonly metrics: SignalsMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  /** Rebuilds every symbol's state from price_history and model_state (at start-up). */
  async load(): Promise<void> {
    const [{ rows: stateRows }, { rows: priceRows }] = await Promise.all([
      this.database.query<{ symbol: string; last_sequence: string; last_relation: number | null; ticks_since_signal: number | null }>(
        'select_model_state',
        'SELECT symbol, last_sequence::text, last_relation, ticks_since_signal FROM model_state',
      ),
      this.database.query<{ symbol: string; sequence: string; price: string }>(
        'select_price_history',
        'SELECT symbol, sequence::text, price::text FROM price_history ORDER BY symbol, sequence',
      ),
    ]);
    this.states.clear();
    for (const row of stateRows) {
      this.states.set(row.symbol, {
        lastSequence: Number(row.last_sequence),
        history: [],
        lastRelation: row.last_relation === 1 || row.last_relation === -1 ? row.last_relation : null,
        ticksSinceSignal: row.ticks_since_signal,
      });
    }
    for (const row of priceRows) {
      const state = this.states.get(row.symbol);
      if (state) state.history.push({ sequence: Number(row.sequence), price: new Decimal(row.price) });
    }
    for (const state of this.states.values()) state.history = state.history.slice(-this.config.longWindow);
    this.logger.info({ symbols: this.states.size }, 'signal model state rebuilt from price_history');
  }

  /** 'duplicate' for a tick whose sequence is not newer than the last one applied for its symbol. */
  async onTick(tick: MarketTick): Promise<'processed' | 'duplicate'> {
    const state = this.states.get(tick.symbol) ?? initialState();
    if (tick.sequence <= state.lastSequence) return 'duplicate';
    const at = new Date(tick.timestamp);
    const price = new Decimal(tick.price);
    const { next, crossing } = step(state, { sequence: tick.sequence, price }, this.config);

    await this.database.transaction('apply_tick', async (tx) => {
      await tx.query('INSERT INTO price_history (symbol, sequence, price, tick_time) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        tick.symbol,
        tick.sequence,
        tick.price,
        at,
      ]);
      await tx.query('DELETE FROM price_history WHERE symbol = $1 AND sequence < $2', [tick.symbol, next.history[0]!.sequence]);
      await tx.query(
        `INSERT INTO model_state (symbol, last_sequence, last_relation, ticks_since_signal) VALUES ($1, $2, $3, $4)
         ON CONFLICT (symbol) DO UPDATE SET last_sequence = EXCLUDED.last_sequence, last_relation = EXCLUDED.last_relation,
           ticks_since_signal = EXCLUDED.ticks_since_signal, updated_at = now()`,
        [tick.symbol, tick.sequence, next.lastRelation, next.ticksSinceSignal],
      );
      await this.evaluateDue(tx, tick, price, at);
      if (crossing) await this.generate(tx, tick, at, crossing);
    });
    this.states.set(tick.symbol, next);
    return 'processed';
  }

  /** Scores every open signal of the symbol whose horizon has passed against this tick's price. */
  private async evaluateDue(tx: Transaction, tick: MarketTick, price: Decimal, at: Date): Promise<void> {
    const { rows } = await tx.query<DueSignalRow>(
      `SELECT signal_id, direction, price_at_signal::text FROM signals
       WHERE symbol = $1 AND outcome IS NULL AND evaluate_after <= $2 ORDER BY evaluate_after FOR UPDATE`,
      [tick.symbol, at],
    );
    for (const row of rows) {
      const moved = price.comparedTo(row.price_at_signal);
      const outcome = (row.direction === 'up' ? moved > 0 : moved < 0) ? 'correct' : 'incorrect';
      await tx.query('UPDATE signals SET outcome = $2, realised_price = $3, evaluated_at = $4 WHERE signal_id = $1', [row.signal_id, outcome, tick.price, at]);
      const event: SignalEvaluated = {
        signalId: row.signal_id,
        symbol: tick.symbol,
        direction: row.direction,
        priceAtSignal: row.price_at_signal,
        realisedPrice: tick.price,
        outcome,
        evaluatedAt: at.toISOString(),
      };
      await this.outbox.enqueue(tx, EVENTS.signalEvaluated, event);
      tx.afterCommit(() => {
        this.metrics.evaluated.inc({ outcome });
        this.logger.info(
          { signal_id: row.signal_id, symbol: tick.symbol, direction: row.direction, outcome, price_at_signal: row.price_at_signal, realised_price: tick.price },
          'signal evaluated',
        );
      });
    }
  }

  private async generate(tx: Transaction, tick: MarketTick, at: Date, crossing: Crossing): Promise<void> {
    const inverted = this.degradation.inverted;
    const direction: SignalDirection = inverted ? (crossing.direction === 'up' ? 'down' : 'up') : crossing.direction;
    const signal: SignalGenerated = {
      signalId: randomUUID(),
      symbol: tick.symbol,
      direction,
      confidence: crossing.confidence,
      priceAtSignal: tick.price,
      evaluateAfter: new Date(at.getTime() + this.config.horizonSeconds * 1000).toISOString(),
      generatedAt: at.toISOString(),
    };
    await tx.query(
      `INSERT INTO signals (signal_id, symbol, direction, confidence, price_at_signal, short_sma, long_sma, tick_sequence, model_inverted, generated_at, evaluate_after)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        signal.signalId,
        signal.symbol,
        signal.direction,
        signal.confidence,
        signal.priceAtSignal,
        crossing.shortSma.toFixed(),
        crossing.longSma.toFixed(),
        tick.sequence,
        inverted,
        signal.generatedAt,
        signal.evaluateAfter,
      ],
    );
    await this.outbox.enqueue(tx, EVENTS.signalGenerated, signal);
    tx.afterCommit(() => {
      this.metrics.generated.inc({ symbol: signal.symbol, direction: signal.direction });
      this.metrics.confidence.observe(signal.confidence);
      this.logger.info(
        {
          log_type: 'signal_generation',
          signal_id: signal.signalId,
          symbol: signal.symbol,
          direction: signal.direction,
          confidence: signal.confidence,
          price_at_signal: signal.priceAtSignal,
          short_sma: crossing.shortSma.toDecimalPlaces(8).toFixed(),
          long_sma: crossing.longSma.toDecimalPlaces(8).toFixed(),
          generated_at: signal.generatedAt,
          evaluate_after: signal.evaluateAfter,
          model_inverted: inverted,
        },
        `${signal.direction} signal for ${signal.symbol}`,
      );
    });
  }
}
