import { EVENTS, type MarketTick, type OrderSide, type OrderType, type TradeExecuted } from '@ai-finance/contracts';
import { Database, type Transaction } from '@ai-finance/database';
import { Outbox } from '@ai-finance/messaging';
import { SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable } from '@nestjs/common';
import Decimal from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { TRADING_METRICS, type TradingMetrics } from '../metrics';
import { moneyText, quantityText } from './order-view';

/** An order about to be filled: what a trade needs to know about it. */
export interface FillableOrder {
  orderId: string;
  userId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: string;
}

/**
 * Writes fills: the trade row and its `trade.executed` event in the caller's transaction, then, once
 * committed, the trade metrics and the `trade_execution` log line. Used for immediate fills and for
 * resting limit orders matched by a tick.
 */
@Injectable()
export class OrderFills {
  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    @Inject(TRADING_METRICS) private readonly metrics: TradingMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  /** Inserts the trade and enqueues `trade.executed`; the order row is the caller's. */
  async recordTrade(tx: Transaction, order: FillableOrder, price: string, executedAt: Date): Promise<TradeExecuted> {
    const quantity = new Decimal(order.quantity);
    const notional = quantity.times(price).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    const trade: TradeExecuted = {
      tradeId: randomUUID(),
      orderId: order.orderId,
      userId: order.userId,
      symbol: order.symbol,
      side: order.side,
      quantity: quantityText(quantity),
      price: moneyText(price),
      notional: moneyText(notional),
      currency: 'USD',
      executedAt: executedAt.toISOString(),
    };
    await tx.query(
      `INSERT INTO trades (id, order_id, user_id, symbol, side, quantity, price, notional, currency, executed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [trade.tradeId, trade.orderId, trade.userId, trade.symbol, trade.side, trade.quantity, trade.price, trade.notional, trade.currency, executedAt],
    );
    // The trade id is the event id, so a consumer can tell a redelivery from a second trade.
    await this.outbox.enqueue(tx, EVENTS.tradeExecuted, trade, trade.tradeId);
    tx.afterCommit(() => this.observe(order.type, trade));
    return trade;
  }

  /**
   * Fills a resting limit order at the tick's price, if it is still open and still crosses: locked with
   * SKIP LOCKED, so a cancel or another instance working on it wins instead of waiting.
   */
  async fillOpenOrder(orderId: string, tick: MarketTick): Promise<TradeExecuted | undefined> {
    return this.database.transaction('fill_open_order', async (tx) => {
      const { rows } = await tx.query<{ id: string; user_id: string; symbol: string; side: OrderSide; quantity: string }>(
        `SELECT id, user_id, symbol, side, quantity FROM orders
          WHERE id = $1 AND status = 'open' AND symbol = $2
            AND ((side = 'buy' AND limit_price >= $3) OR (side = 'sell' AND limit_price <= $4))
          FOR UPDATE SKIP LOCKED`,
        [orderId, tick.symbol, tick.ask, tick.bid],
      );
      const order = rows[0];
      if (!order) return undefined;
      const price = order.side === 'buy' ? tick.ask : tick.bid;
      const executedAt = new Date();
      await tx.query(
        `UPDATE orders SET status = 'filled', filled_quantity = quantity, average_price = $2, updated_at = $3 WHERE id = $1 AND status = 'open'`,
        [order.id, price, executedAt],
      );
      return this.recordTrade(
        tx,
        { orderId: order.id, userId: order.user_id, symbol: order.symbol, side: order.side, type: 'limit', quantity: order.quantity },
        price,
        executedAt,
      );
    });
  }

  private observe(type: OrderType, trade: TradeExecuted): void {
    this.metrics.orders.inc({ type, side: trade.side, status: 'filled' });
    this.metrics.tradesExecuted.inc({ symbol: trade.symbol, side: trade.side });
    this.metrics.tradeVolume.inc({ symbol: trade.symbol }, Number(trade.notional));
    this.logger.info(
      {
        log_type: 'trade_execution',
        order_id: trade.orderId,
        trade_id: trade.tradeId,
        user_id: trade.userId,
        order_type: type,
        symbol: trade.symbol,
        side: trade.side,
        quantity: trade.quantity,
        price: trade.price,
        notional: trade.notional,
        currency: trade.currency,
        status: 'filled',
      },
      `${trade.side} ${trade.quantity} ${trade.symbol} filled at ${trade.price}`,
    );
  }
}
