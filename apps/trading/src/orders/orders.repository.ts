import { Database, type Transaction } from '@ai-finance/database';
import { Injectable } from '@nestjs/common';
import { ORDER_SELECT, type OrderRow, type OrderStatus, type TradeRow } from './order-view';

export interface NewOrderRow {
  orderId: string;
  userId: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  quantity: string;
  limitPrice?: string;
  status: OrderStatus;
  filledQuantity?: string;
  averagePrice?: string;
  reason?: string;
  reasonMessage?: string;
  riskCheckId?: string;
  at: Date;
}

/** SQL for orders and trades; every read is scoped to the owner. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly database: Database) {}

  async insert(tx: Transaction, order: NewOrderRow): Promise<void> {
    await tx.query(
      `INSERT INTO orders (id, user_id, symbol, side, type, quantity, limit_price, status, filled_quantity, average_price, reason, reason_message, risk_check_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
      [
        order.orderId,
        order.userId,
        order.symbol,
        order.side,
        order.type,
        order.quantity,
        order.limitPrice ?? null,
        order.status,
        order.filledQuantity ?? '0',
        order.averagePrice ?? null,
        order.reason ?? null,
        order.reasonMessage ?? null,
        order.riskCheckId ?? null,
        order.at,
      ],
    );
  }

  async findOwn(userId: string, orderId: string): Promise<OrderRow | undefined> {
    const { rows } = await this.database.query<OrderRow>('get_order', `${ORDER_SELECT} WHERE o.id = $1 AND o.user_id = $2`, [orderId, userId]);
    return rows[0];
  }

  async listOwn(userId: string, status: OrderStatus | undefined, limit: number): Promise<OrderRow[]> {
    const { rows } = await this.database.query<OrderRow>(
      'list_orders',
      `${ORDER_SELECT} WHERE o.user_id = $1 AND ($2::text IS NULL OR o.status = $2) ORDER BY o.created_at DESC, o.id DESC LIMIT $3`,
      [userId, status ?? null, limit],
    );
    return rows;
  }

  async listOwnTrades(userId: string, limit: number): Promise<TradeRow[]> {
    const { rows } = await this.database.query<TradeRow>(
      'list_trades',
      `SELECT id, order_id, symbol, side, quantity, price, notional, currency, executed_at FROM trades
        WHERE user_id = $1 ORDER BY executed_at DESC, id DESC LIMIT $2`,
      [userId, limit],
    );
    return rows;
  }

  /** Cancels the order if it is the caller's and still open; returns the row, or why not. */
  async cancelOwn(tx: Transaction, userId: string, orderId: string, at: Date): Promise<{ cancelled: OrderRow } | { status: OrderStatus } | undefined> {
    const updated = await tx.query<{ id: string }>(
      `UPDATE orders SET status = 'cancelled', updated_at = $3 WHERE id = $1 AND user_id = $2 AND status = 'open' RETURNING id`,
      [orderId, userId, at],
    );
    if (updated.rowCount === 1) {
      const { rows } = await tx.query<OrderRow>(`${ORDER_SELECT} WHERE o.id = $1`, [orderId]);
      return { cancelled: rows[0] };
    }
    const { rows } = await tx.query<{ status: OrderStatus }>('SELECT status FROM orders WHERE id = $1 AND user_id = $2', [orderId, userId]);
    return rows[0] ? { status: rows[0].status } : undefined;
  }
}
