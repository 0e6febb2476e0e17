import type { Migration } from '@ai-finance/database';
import { MESSAGING_MIGRATION } from '@ai-finance/messaging';

export const TRADING_MIGRATIONS: Migration[] = [
  MESSAGING_MIGRATION,
  {
    id: '001_create_orders_and_trades',
    sql: `
      CREATE TABLE IF NOT EXISTS orders (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        symbol text NOT NULL,
        side text NOT NULL CHECK (side IN ('buy', 'sell')),
        type text NOT NULL CHECK (type IN ('market', 'limit')),
        quantity numeric(20, 8) NOT NULL CHECK (quantity > 0),
        limit_price numeric(14, 2) CHECK (limit_price > 0),
        status text NOT NULL CHECK (status IN ('open', 'filled', 'rejected', 'cancelled')),
        filled_quantity numeric(20, 8) NOT NULL DEFAULT 0,
        average_price numeric(14, 2),
        reason text,
        reason_message text,
        risk_check_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((type = 'limit') = (limit_price IS NOT NULL))
      );
      CREATE INDEX IF NOT EXISTS orders_user_created ON orders (user_id, created_at DESC);
      -- The tick matcher only ever looks at open orders of one symbol.
      CREATE INDEX IF NOT EXISTS orders_open_by_symbol ON orders (symbol, created_at) WHERE status = 'open';

      CREATE TABLE IF NOT EXISTS trades (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE REFERENCES orders (id),
        user_id uuid NOT NULL,
        symbol text NOT NULL,
        side text NOT NULL CHECK (side IN ('buy', 'sell')),
        quantity numeric(20, 8) NOT NULL CHECK (quantity > 0),
        price numeric(14, 2) NOT NULL CHECK (price > 0),
        notional numeric(26, 2) NOT NULL,
        currency text NOT NULL,
        executed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS trades_user_executed ON trades (user_id, executed_at DESC);
    `,
  },
];
