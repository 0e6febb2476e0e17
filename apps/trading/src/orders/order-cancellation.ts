import { EVENTS, type OrderEvent } from '@ai-finance/contracts';
import { Database } from '@ai-finance/database';
import { Outbox } from '@ai-finance/messaging';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { TRADING_METRICS, type TradingMetrics } from '../metrics';
import { orderView, quantityText, moneyText, type OrderView } from './order-view';
import { OrdersRepository } from './orders.repository';

/** Cancels the caller's open limit order; the same row lock as a tick fill decides which one wins. */
@Injectable()
export class OrderCancellation {
  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly orders: OrdersRepository,
    @Inject(TRADING_METRICS) private readonly metrics: TradingMetrics,
  ) {}

  async cancel(userId: string, orderId: string): Promise<OrderView> {
    const at = new Date();
    const outcome = await this.database.transaction('cancel_order', async (tx) => {
      const result = await this.orders.cancelOwn(tx, userId, orderId, at);
      if (result && 'cancelled' in result) {
        const row = result.cancelled;
        const event: OrderEvent = {
          orderId: row.id,
          userId: row.user_id,
          symbol: row.symbol,
          side: row.side,
          type: row.type,
          quantity: quantityText(row.quantity),
          ...(row.limit_price === null ? {} : { limitPrice: moneyText(row.limit_price) }),
          status: 'cancelled',
          occurredAt: at.toISOString(),
        };
        await this.outbox.enqueue(tx, EVENTS.orderCancelled, event);
      }
      return result;
    });
    if (!outcome) throw new NotFoundException(`order ${orderId} not found`);
    if (!('cancelled' in outcome)) throw new ConflictException(`order ${orderId} is ${outcome.status}; only open orders can be cancelled`);
    this.metrics.orders.inc({ type: outcome.cancelled.type, side: outcome.cancelled.side, status: 'cancelled' });
    return orderView(outcome.cancelled);
  }
}
