/*
 * Business events on the `ai-finance.events` topic exchange: routing keys and payloads. Money and
 * quantities are decimal strings; times are ISO-8601 strings. The AMQP message id is the event id.
 */

export const EVENTS = {
  userRegistered: 'user.registered',
  userLocked: 'user.locked',
  paymentSucceeded: 'payment.succeeded',
  paymentFailed: 'payment.failed',
  orderPlaced: 'order.placed',
  orderRejected: 'order.rejected',
  orderCancelled: 'order.cancelled',
  tradeExecuted: 'trade.executed',
  signalGenerated: 'signal.generated',
  signalEvaluated: 'signal.evaluated',
  notificationSent: 'notification.sent',
  notificationFailed: 'notification.failed',
  /** `market.tick.<SYMBOL>`; ticks are not business events and are not audited. */
  marketTickPrefix: 'market.tick',
} as const;

/** Binding key for every business event (everything but market ticks needs explicit keys). */
export const BUSINESS_EVENT_KEYS = ['user.*', 'payment.*', 'order.*', 'trade.*', 'signal.*', 'notification.*'] as const;

export interface UserRegistered {
  userId: string;
  email: string;
  /** E.164 phone number for SMS notifications, when the user gave one. */
  phone?: string;
  registeredAt: string;
}

export interface UserLocked {
  userId: string;
  email: string;
  ipAddress: string;
  failedAttempts: number;
  lockedUntil: string;
}

export type PaymentMethod = 'card' | 'bank_transfer' | 'wallet';

export interface PaymentSucceeded {
  paymentId: string;
  userId: string;
  amount: string;
  currency: string;
  method: PaymentMethod;
  provider: string;
  plan: string;
  occurredAt: string;
}

export interface PaymentFailed {
  paymentId: string;
  userId: string;
  amount: string;
  currency: string;
  method: PaymentMethod;
  reason: string;
  occurredAt: string;
}

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';

export interface OrderEvent {
  orderId: string;
  userId: string;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: string;
  limitPrice?: string;
  status: 'open' | 'filled' | 'rejected' | 'cancelled';
  reason?: string;
  occurredAt: string;
}

export interface TradeExecuted {
  tradeId: string;
  orderId: string;
  userId: string;
  symbol: string;
  side: OrderSide;
  quantity: string;
  price: string;
  notional: string;
  currency: string;
  executedAt: string;
}

export interface MarketTick {
  symbol: string;
  price: string;
  bid: string;
  ask: string;
  currency: string;
  sequence: number;
  timestamp: string;
}

export type SignalDirection = 'up' | 'down';

export interface SignalGenerated {
  signalId: string;
  symbol: string;
  direction: SignalDirection;
  confidence: number;
  priceAtSignal: string;
  evaluateAfter: string;
  generatedAt: string;
}

export interface SignalEvaluated {
  signalId: string;
  symbol: string;
  direction: SignalDirection;
  priceAtSignal: string;
  realisedPrice: string;
  outcome: 'correct' | 'incorrect';
  evaluatedAt: string;
}

export type NotificationChannel = 'slack' | 'email' | 'sms';

export interface NotificationOutcome {
  notificationId: string;
  channel: NotificationChannel;
  recipient: string;
  subject: string;
  userId?: string;
  error?: string;
  occurredAt: string;
}
