import { AVERAGE_COST_DECIMALS, Decimal } from './decimal';

export interface PositionState {
  /** Signed: below zero is a short position. */
  quantity: Decimal;
  /** Average price of the quantity currently held (long or short); kept when the position reaches zero. */
  averageCost: Decimal;
  realizedPnl: Decimal;
}

export const EMPTY_POSITION: PositionState = { quantity: new Decimal(0), averageCost: new Decimal(0), realizedPnl: new Decimal(0) };

/**
 * The average-cost method, for long and short positions alike.
 *
 * - A trade in the direction of the position (or from zero) adds to it: the average cost becomes the
 *   quantity-weighted mean of the old average and the trade price.
 * - A trade against the position closes up to its size: it realises (price − average) × closed for a
 *   long, (average − price) × closed for a short; the average cost of what remains is unchanged.
 * - What exceeds the position (a sell larger than the holding) opens a position on the other side at
 *   the trade price, so numbers stay consistent if risk ever lets an oversell through.
 */
export function applyTrade(position: PositionState, side: 'buy' | 'sell', quantity: Decimal, price: Decimal): { next: PositionState; realized: Decimal } {
  const signed = side === 'buy' ? quantity : quantity.negated();
  const held = position.quantity;

  if (held.isZero() || held.isNegative() === signed.isNegative()) {
    const total = held.abs().plus(quantity);
    const averageCost = held.abs().times(position.averageCost).plus(quantity.times(price)).dividedBy(total).toDecimalPlaces(AVERAGE_COST_DECIMALS);
    return { next: { quantity: held.plus(signed), averageCost, realizedPnl: position.realizedPnl }, realized: new Decimal(0) };
  }

  const closed = Decimal.min(held.abs(), quantity);
  const perUnit = held.isNegative() ? position.averageCost.minus(price) : price.minus(position.averageCost);
  const realized = perUnit.times(closed);
  const remaining = held.plus(signed);
  const flipped = !remaining.isZero() && remaining.isNegative() !== held.isNegative();
  return {
    next: {
      quantity: remaining,
      averageCost: flipped ? price : position.averageCost,
      realizedPnl: position.realizedPnl.plus(realized),
    },
    realized,
  };
}
