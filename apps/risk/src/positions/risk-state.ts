import { Database, type Transaction } from '@ai-finance/database';
import { Inject, Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { RISK_CONFIG, type RiskConfig } from '../config';
import type { ValidTrade } from './trade-event';

export interface UserPosition {
  symbol: string;
  quantity: Decimal;
  lastPrice: Decimal;
}

export interface UserSnapshot {
  buyingPower: Decimal;
  exposure: Decimal;
  positions: UserPosition[];
}

type Queryable = Pick<Transaction, 'query'>;

/**
 * Per-user positions and cash, built only from `trade.executed` events. Exposure values every
 * position at the platform's latest trade price of its symbol (the last `trade.executed` seen for it,
 * from any user): risk has no market-data dependency, and trades are the prices that were really paid.
 */
@Injectable()
export class RiskState {
  constructor(
    private readonly database: Database,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  async snapshot(userId: string, db: Queryable = { query: (sql, params) => this.database.query('read_user_risk_state', sql, params) }): Promise<UserSnapshot> {
    const [cash, positions] = await Promise.all([
      db.query<{ net_cash: string }>('SELECT net_cash FROM cash_balances WHERE user_id = $1', [userId]),
      db.query<{ symbol: string; quantity: string; price: string | null }>(
        `SELECT p.symbol, p.quantity, l.price
           FROM positions p LEFT JOIN last_trade_prices l ON l.symbol = p.symbol
          WHERE p.user_id = $1 AND p.quantity <> 0
          ORDER BY p.symbol`,
        [userId],
      ),
    ]);
    const netCash = new Decimal(cash.rows[0]?.net_cash ?? 0);
    const held = positions.rows.map((row) => ({ symbol: row.symbol, quantity: new Decimal(row.quantity), lastPrice: new Decimal(row.price ?? 0) }));
    const exposure = held.reduce((sum, position) => sum.plus(position.quantity.abs().times(position.lastPrice)), new Decimal(0));
    return { buyingPower: this.config.initialBuyingPower.plus(netCash), exposure, positions: held };
  }

  /** Applies one executed trade to the user's position and cash, and to the symbol's last price. */
  async applyTrade(tx: Transaction, trade: ValidTrade): Promise<void> {
    const quantity = new Decimal(trade.quantity);
    const notional = new Decimal(trade.notional);
    if (trade.side === 'buy') {
      await tx.query(
        `INSERT INTO positions (user_id, symbol, quantity, cost_basis) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, symbol) DO UPDATE
           SET quantity = positions.quantity + EXCLUDED.quantity, cost_basis = positions.cost_basis + EXCLUDED.cost_basis, updated_at = now()`,
        [trade.userId, trade.symbol, quantity.toFixed(), notional.toFixed(2)],
      );
    } else {
      // One relative statement, so concurrent events for the same position never lose an update. Average
      // cost: the sold fraction takes its share of the cost basis with it; a closed position costs nothing.
      await tx.query(
        `INSERT INTO positions (user_id, symbol, quantity, cost_basis) VALUES ($1, $2, -$3::numeric, 0)
         ON CONFLICT (user_id, symbol) DO UPDATE
           SET quantity = positions.quantity - $3::numeric,
               cost_basis = CASE
                 WHEN positions.quantity <= 0 OR positions.quantity - $3::numeric <= 0 THEN 0
                 ELSE round(positions.cost_basis * (positions.quantity - $3::numeric) / positions.quantity, 2)
               END,
               updated_at = now()`,
        [trade.userId, trade.symbol, quantity.toFixed()],
      );
    }
    const cashChange = trade.side === 'buy' ? notional.negated() : notional;
    await tx.query(
      `INSERT INTO cash_balances (user_id, net_cash) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET net_cash = cash_balances.net_cash + EXCLUDED.net_cash, updated_at = now()`,
      [trade.userId, cashChange.toFixed(2)],
    );
    // Events may arrive out of order: an older trade never overwrites a newer price.
    await tx.query(
      `INSERT INTO last_trade_prices (symbol, price, executed_at) VALUES ($1, $2, $3)
       ON CONFLICT (symbol) DO UPDATE SET price = EXCLUDED.price, executed_at = EXCLUDED.executed_at
        WHERE last_trade_prices.executed_at <= EXCLUDED.executed_at`,
      [trade.symbol, trade.price, trade.executedAt],
    );
  }
}
