import Decimal from 'decimal.js';

export type OrderStatus = 'open' | 'filled' | 'rejected' | 'cancelled';
export const ORDER_STATUSES: readonly OrderStatus[] = ['open', 'filled', 'rejected', 'cancelled'];

/** An order row with its trade, if it has one (LEFT JOIN trades). */
export interface OrderRow {
  id: string;
  user_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  quantity: string;
  limit_price: string | null;
  status: OrderStatus;
  filled_quantity: string;
  average_price: string | null;
  reason: string | null;
  reason_message: string | null;
  created_at: Date;
  updated_at: Date;
  trade_id: string | null;
  trade_price: string | null;
  trade_quantity: string | null;
  trade_notional: string | null;
  trade_executed_at: Date | null;
}

export interface TradeRow {
  id: string;
  order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  notional: string;
  currency: string;
  executed_at: Date;
}

export const ORDER_SELECT = `
  SELECT o.id, o.user_id, o.symbol, o.side, o.type, o.quantity, o.limit_price, o.status, o.filled_quantity, o.average_price,
         o.reason, o.reason_message, o.created_at, o.updated_at,
         t.id AS trade_id, t.price AS trade_price, t.quantity AS trade_quantity, t.notional AS trade_notional, t.executed_at AS trade_executed_at
    FROM orders o LEFT JOIN trades t ON t.order_id = o.id`;

/** "10.00000000" → "10": quantities leave without padding. */
export const quantityText = (value: string | Decimal): string => new Decimal(value).toFixed();
export const moneyText = (value: string | Decimal): string => new Decimal(value).toFixed(2);

export interface TradeView {
  tradeId: string;
  price: string;
  quantity: string;
  notional: string;
  executedAt: string;
}

export interface OrderView {
  orderId: string;
  status: OrderStatus;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  quantity: string;
  limitPrice: string | null;
  filledQuantity: string;
  averagePrice: string | null;
  reason: string | null;
  message: string | null;
  trade: TradeView | null;
  createdAt: string;
  updatedAt: string;
}

export function orderView(row: OrderRow): OrderView {
  return {
    orderId: row.id,
    status: row.status,
    symbol: row.symbol,
    side: row.side,
    type: row.type,
    quantity: quantityText(row.quantity),
    limitPrice: row.limit_price === null ? null : moneyText(row.limit_price),
    filledQuantity: quantityText(row.filled_quantity),
    averagePrice: row.average_price === null ? null : moneyText(row.average_price),
    reason: row.reason,
    message: row.reason_message,
    trade:
      row.trade_id === null
        ? null
        : {
            tradeId: row.trade_id,
            price: moneyText(row.trade_price!),
            quantity: quantityText(row.trade_quantity!),
            notional: moneyText(row.trade_notional!),
            executedAt: row.trade_executed_at!.toISOString(),
          },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function tradeView(row: TradeRow) {
  return {
    tradeId: row.id,
    orderId: row.order_id,
    symbol: row.symbol,
    side: row.side,
    quantity: quantityText(row.quantity),
    price: moneyText(row.price),
    notional: moneyText(row.notional),
    currency: row.currency,
    executedAt: row.executed_at.toISOString(),
  };
}
