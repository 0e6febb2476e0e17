import Decimal from 'decimal.js';

export type OrderSide = 'buy' | 'sell';

export const REJECTION_REASONS = ['order_notional_limit', 'exposure_limit', 'buying_power', 'insufficient_position'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface RiskLimits {
  maxOrderNotional: Decimal;
  maxExposure: Decimal;
}

/** What the rules need to know about the user, as of the trades risk has seen. */
export interface UserRiskState {
  /** Σ |quantity| × last trade price over the user's positions, in USD. */
  exposure: Decimal;
  /** Initial buying power − cash spent on buys + proceeds of sells. */
  buyingPower: Decimal;
  /** The user's current quantity of the order's symbol. */
  heldQuantity: Decimal;
}

export interface ProposedOrder {
  symbol: string;
  side: OrderSide;
  quantity: Decimal;
  price: Decimal;
}

export type RiskDecision =
  | { approved: true; notional: Decimal }
  | { approved: false; notional: Decimal; reason: RejectionReason; message: string };

/** Cents as usual; a notional finer than a cent (quantity with many decimals) is shown exactly. */
const usd = (value: Decimal): string => (value.decimalPlaces() <= 2 ? value.toFixed(2) : value.toFixed());

/**
 * The pre-trade rules, in this order: the order's own size, then (sell) whether the user holds what
 * they sell, then (buy) whether they can pay for it and whether it keeps their exposure in bounds. A
 * sell can never be rejected for exposure: short selling is refused, so a sell only reduces a long.
 */
export function evaluateOrder(order: ProposedOrder, state: UserRiskState, limits: RiskLimits): RiskDecision {
  const notional = order.quantity.times(order.price);
  if (notional.gt(limits.maxOrderNotional)) {
    return {
      approved: false,
      notional,
      reason: 'order_notional_limit',
      message: `Order notional ${usd(notional)} USD exceeds the per-order limit of ${usd(limits.maxOrderNotional)} USD`,
    };
  }
  if (order.side === 'sell') {
    if (order.quantity.gt(state.heldQuantity)) {
      return {
        approved: false,
        notional,
        reason: 'insufficient_position',
        message: `Cannot sell ${order.quantity.toFixed()} ${order.symbol}: the position holds ${Decimal.max(state.heldQuantity, 0).toFixed()} and short selling is not allowed`,
      };
    }
    return { approved: true, notional };
  }
  if (notional.gt(state.buyingPower)) {
    return {
      approved: false,
      notional,
      reason: 'buying_power',
      message: `Order notional ${usd(notional)} USD exceeds the buying power of ${usd(state.buyingPower)} USD`,
    };
  }
  const projected = state.exposure.plus(notional);
  if (projected.gt(limits.maxExposure)) {
    return {
      approved: false,
      notional,
      reason: 'exposure_limit',
      message: `Exposure would reach ${usd(projected)} USD, above the limit of ${usd(limits.maxExposure)} USD (current ${usd(state.exposure)} USD)`,
    };
  }
  return { approved: true, notional };
}
