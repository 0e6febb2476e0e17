import type { Migration } from '@ai-finance/database';
import { MESSAGING_MIGRATION } from '@ai-finance/messaging';

/**
 * Quantities, prices and P&L are unconstrained NUMERIC: decimal.js computes them exactly and the
 * API rounds money to cents only when it answers. A quantity below zero is a short position.
 */
const CREATE_POSITIONS: Migration = {
  id: '001_create_positions_trades_prices',
  sql: `
    CREATE TABLE IF NOT EXISTS positions (
      user_id uuid NOT NULL,
      symbol text NOT NULL,
      quantity numeric NOT NULL,
      average_cost numeric NOT NULL,
      realized_pnl numeric NOT NULL DEFAULT 0,
      opened_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, symbol)
    );
    CREATE INDEX IF NOT EXISTS positions_open ON positions (symbol) WHERE quantity <> 0;

    CREATE TABLE IF NOT EXISTS trades (
      trade_id text PRIMARY KEY,
      order_id text NOT NULL,
      user_id uuid NOT NULL,
      symbol text NOT NULL,
      side text NOT NULL CHECK (side IN ('buy', 'sell')),
      quantity numeric NOT NULL CHECK (quantity > 0),
      price numeric NOT NULL CHECK (price > 0),
      notional numeric NOT NULL,
      currency text NOT NULL,
      executed_at timestamptz NOT NULL,
      realized_pnl numeric NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS trades_user_symbol ON trades (user_id, symbol, executed_at);

    -- The latest market tick per symbol (only a newer tick replaces it).
    CREATE TABLE IF NOT EXISTS market_prices (
      symbol text PRIMARY KEY,
      price numeric NOT NULL CHECK (price > 0),
      as_of timestamptz NOT NULL,
      sequence bigint NOT NULL
    );

    -- The latest trade price per symbol: the mark for a symbol that has had no tick yet.
    CREATE TABLE IF NOT EXISTS last_trade_prices (
      symbol text PRIMARY KEY,
      price numeric NOT NULL CHECK (price > 0),
      executed_at timestamptz NOT NULL
    );
  `,
};

export const PORTFOLIO_MIGRATIONS: Migration[] = [MESSAGING_MIGRATION, CREATE_POSITIONS];
