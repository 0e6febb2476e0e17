import type { Migration } from '@ai-finance/database';
import { MESSAGING_MIGRATION } from '@ai-finance/messaging';

const CREATE_SIGNALS: Migration = {
  id: '001_create_signals_price_history_model_state',
  sql: `
    CREATE TABLE IF NOT EXISTS signals (
      signal_id uuid PRIMARY KEY,
      row_seq bigint GENERATED ALWAYS AS IDENTITY,
      symbol text NOT NULL,
      direction text NOT NULL CHECK (direction IN ('up', 'down')),
      confidence numeric(5, 4) NOT NULL CHECK (confidence >= 0.5 AND confidence <= 0.99),
      price_at_signal numeric NOT NULL,
      short_sma numeric NOT NULL,
      long_sma numeric NOT NULL,
      tick_sequence bigint NOT NULL,
      model_inverted boolean NOT NULL DEFAULT false,
      generated_at timestamptz NOT NULL,
      evaluate_after timestamptz NOT NULL,
      outcome text CHECK (outcome IN ('correct', 'incorrect')),
      realised_price numeric,
      evaluated_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS signals_newest ON signals (generated_at DESC, row_seq DESC);
    CREATE INDEX IF NOT EXISTS signals_symbol_newest ON signals (symbol, generated_at DESC, row_seq DESC);
    CREATE INDEX IF NOT EXISTS signals_awaiting_evaluation ON signals (symbol, evaluate_after) WHERE outcome IS NULL;
    CREATE INDEX IF NOT EXISTS signals_evaluated_at ON signals (evaluated_at) WHERE outcome IS NOT NULL;

    -- The last SIGNAL_LONG_WINDOW ticks per symbol, to rebuild the moving averages after a restart.
    CREATE TABLE IF NOT EXISTS price_history (
      symbol text NOT NULL,
      sequence bigint NOT NULL,
      price numeric NOT NULL,
      tick_time timestamptz NOT NULL,
      PRIMARY KEY (symbol, sequence)
    );

    -- The rest of the per-symbol model state: last tick seen, last side of the averages, cooldown.
    CREATE TABLE IF NOT EXISTS model_state (
      symbol text PRIMARY KEY,
      last_sequence bigint NOT NULL,
      last_relation smallint CHECK (last_relation IN (-1, 1)),
      ticks_since_signal integer,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `,
};

export const SIGNALS_MIGRATIONS: Migration[] = [MESSAGING_MIGRATION, CREATE_SIGNALS];
