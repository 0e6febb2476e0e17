import type { Migration } from '@ai-finance/database';
import { MESSAGING_MIGRATION } from '@ai-finance/messaging';

export const RISK_MIGRATIONS: Migration[] = [
  MESSAGING_MIGRATION,
  {
    id: '001_create_risk_state_and_checks',
    sql: `
      -- Every decision, approved or not, for audit and for explaining a rejection later.
      CREATE TABLE IF NOT EXISTS risk_checks (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        symbol text NOT NULL,
        side text NOT NULL CHECK (side IN ('buy', 'sell')),
        quantity numeric(20, 8) NOT NULL CHECK (quantity > 0),
        price numeric(14, 2) NOT NULL CHECK (price > 0),
        notional numeric NOT NULL,
        approved boolean NOT NULL,
        reason text,
        exposure_before numeric NOT NULL,
        buying_power_before numeric NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS risk_checks_user_created ON risk_checks (user_id, created_at DESC);

      -- Positions built from trade.executed events; cost_basis is the average-cost total in USD.
      CREATE TABLE IF NOT EXISTS positions (
        user_id uuid NOT NULL,
        symbol text NOT NULL,
        quantity numeric(20, 8) NOT NULL DEFAULT 0,
        cost_basis numeric(26, 2) NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, symbol)
      );

      -- Net cash from trading: minus what buys cost, plus what sells returned.
      CREATE TABLE IF NOT EXISTS cash_balances (
        user_id uuid PRIMARY KEY,
        net_cash numeric(26, 2) NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      -- The latest trade price per symbol on the platform, which values every position.
      CREATE TABLE IF NOT EXISTS last_trade_prices (
        symbol text PRIMARY KEY,
        price numeric(14, 2) NOT NULL,
        executed_at timestamptz NOT NULL
      );
    `,
  },
];
