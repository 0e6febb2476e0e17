import type { TradeExecuted } from '@ai-finance/contracts';
import type { Transaction } from '@ai-finance/database';
import { SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable } from '@nestjs/common';
import { PORTFOLIO_METRICS, type PortfolioMetrics } from '../metrics';
import { applyTrade } from './average-cost';
import { Decimal, formatQuantity } from './decimal';

interface PositionRow {
  quantity: string;
  average_cost: string;
  realized_pnl: string;
}

/** Applies executed trades to positions, inside the transaction of the exactly-once consumer. */
@Injectable()
export class TradeLedger {
  constructor(
    @Inject(PORTFOLIO_METRICS) private readonly metrics: PortfolioMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  /** 'duplicate' when a trade with this trade id was applied before (under another message id). */
  async apply(trade: TradeExecuted, tx: Transaction): Promise<'applied' | 'duplicate'> {
    // The trade row first: a concurrent copy of the same trade waits on its key and then does nothing.
    const inserted = await tx.query(
      `INSERT INTO trades (trade_id, order_id, user_id, symbol, side, quantity, price, notional, currency, executed_at, realized_pnl)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0) ON CONFLICT (trade_id) DO NOTHING`,
      [trade.tradeId, trade.orderId, trade.userId, trade.symbol, trade.side, trade.quantity, trade.price, trade.notional, trade.currency, trade.executedAt],
    );
    if (inserted.rowCount === 0) {
      this.logger.warn({ trade_id: trade.tradeId, symbol: trade.symbol }, 'trade already applied under another message id; ignored');
      return 'duplicate';
    }

    await tx.query('INSERT INTO positions (user_id, symbol, quantity, average_cost) VALUES ($1, $2, 0, 0) ON CONFLICT DO NOTHING', [trade.userId, trade.symbol]);
    const { rows } = await tx.query<PositionRow>('SELECT quantity, average_cost, realized_pnl FROM positions WHERE user_id = $1 AND symbol = $2 FOR UPDATE', [
      trade.userId,
      trade.symbol,
    ]);
    const current = rows[0]!;
    const { next, realized } = applyTrade(
      { quantity: new Decimal(current.quantity), averageCost: new Decimal(current.average_cost), realizedPnl: new Decimal(current.realized_pnl) },
      trade.side,
      new Decimal(trade.quantity),
      new Decimal(trade.price),
    );
    await tx.query('UPDATE positions SET quantity = $3, average_cost = $4, realized_pnl = $5, updated_at = now() WHERE user_id = $1 AND symbol = $2', [
      trade.userId,
      trade.symbol,
      formatQuantity(next.quantity),
      next.averageCost.toFixed(),
      next.realizedPnl.toFixed(),
    ]);
    await tx.query('UPDATE trades SET realized_pnl = $2 WHERE trade_id = $1', [trade.tradeId, realized.toFixed()]);
    await tx.query(
      `INSERT INTO last_trade_prices (symbol, price, executed_at) VALUES ($1, $2, $3)
       ON CONFLICT (symbol) DO UPDATE SET price = EXCLUDED.price, executed_at = EXCLUDED.executed_at
       WHERE EXCLUDED.executed_at >= last_trade_prices.executed_at`,
      [trade.symbol, trade.price, trade.executedAt],
    );

    tx.afterCommit(() => {
      this.metrics.tradesApplied.inc();
      this.logger.info(
        {
          trade_id: trade.tradeId,
          order_id: trade.orderId,
          symbol: trade.symbol,
          side: trade.side,
          quantity: trade.quantity,
          price: trade.price,
          position_quantity: formatQuantity(next.quantity),
          average_cost: next.averageCost.toFixed(),
          realized_pnl: realized.toFixed(),
        },
        'trade applied to position',
      );
    });
    return 'applied';
  }
}
