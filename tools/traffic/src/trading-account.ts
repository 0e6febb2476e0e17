import type { OrderSide, OrderType } from '@ai-finance/contracts';
import { formatCents, formatQuantity, parseCents, parseSteps } from './money';
import type { Quote } from './quote-board';

/*
 * One simulated user's trading, kept so that every order it sends is one risk approves: buys stay
 * within a small share of the user's buying power, and sells never exceed what the user holds in
 * risk's view. risk learns of fills from `trade.executed` asynchronously, and under load it can lag
 * by many seconds, so a bought quantity becomes sellable only when the user has seen risk's own
 * account of it: a `GET /api/risk/limits` whose buying power and positions equal what the user knew
 * of its fills when it asked. A sell takes its quantity out of the holding as soon as it is sent
 * (whether it fills now or rests), so risk's count never drops below what the user still may sell.
 */

export interface RiskLimits {
  maxOrderNotionalCents: number;
  maxExposureCents: number;
  initialBuyingPowerCents: number;
}

/** risk's defaults (RISK_MAX_ORDER_NOTIONAL, RISK_MAX_EXPOSURE, RISK_INITIAL_BUYING_POWER) until the user has read its own. */
export const DEFAULT_RISK_LIMITS: RiskLimits = { maxOrderNotionalCents: 5_000_000, maxExposureCents: 25_000_000, initialBuyingPowerCents: 10_000_000 };

export interface OrderBody {
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: string;
  limitPrice?: string;
}

export interface PlannedOrder {
  body: OrderBody;
  steps: number;
  /** A buy's cents set aside from the budget until the outcome is known. */
  reservedCents: number;
}

/** What the user knew of its fills when it asked risk for its limits. */
export interface RiskCheckpoint {
  takenAtMs: number;
  /** Σ sell notionals − Σ buy notionals of the fills known then. */
  cashCents: number;
  netSteps: ReadonlyMap<string, number>;
}

/** A user invests at most this share of the smaller of its buying power and exposure limit. */
export const BUDGET_SHARE = 0.2;
/** Each buy aims at a notional in this range (USD cents), like a retail ticket. */
export const ORDER_NOTIONAL_RANGE_CENTS = { min: 20_000, max: 250_000 } as const;
/** A user that wants to sell but has nothing confirmed looks at its risk view at most this often. */
export const RISK_VIEW_INTERVAL_MS = 10_000;
const MARKET_ORDER_SHARE = 0.7;
/** Of the limit orders, the share priced to fill at once; the others sit at the mid price and usually fill within a few ticks. */
const MARKETABLE_LIMIT_SHARE = 0.5;
/** A buy's reservation allows for the price moving this much between quote and fill. */
const PRICE_MOVE_ALLOWANCE = 1.01;

interface Holding {
  /** 10^-decimals per step: whole shares for prices under $1,000, fractions for dearer instruments. */
  decimals: number;
  /** Steps risk is known to count, less those committed to sells since. */
  settledSteps: number;
  /** Bought steps risk has not been seen to count yet, with when the user learnt of the fill. */
  unsettled: Array<{ steps: number; knownAtMs: number }>;
}

interface OpenOrder {
  symbol: string;
  side: OrderSide;
  steps: number;
  reservedCents: number;
}

/** Decimals of the quantity step for an instrument at this price: one step costs $100 or less. */
export function quantityDecimalsFor(priceCents: number): number {
  const dollars = priceCents / 100;
  return dollars < 1_000 ? 0 : Math.min(8, Math.ceil(Math.log10(dollars / 100)));
}

export class TradingAccount {
  private limits: RiskLimits = DEFAULT_RISK_LIMITS;
  /** Cents in buys (filled at their notional, resting or in flight at their reservation) less the proceeds of filled sells. */
  private investedCents = 0;
  private knownCashCents = 0;
  private readonly knownNetSteps = new Map<string, number>();
  private readonly holdings = new Map<string, Holding>();
  private readonly openOrders = new Map<string, OpenOrder>();
  private readonly portfolioSymbols = new Set<string>();
  private lastRiskViewAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly random: () => number) {}

  get budgetCents(): number {
    return Math.floor(Math.min(this.limits.initialBuyingPowerCents, this.limits.maxExposureCents) * BUDGET_SHARE);
  }

  get invested(): number {
    return this.investedCents;
  }

  settledSteps(symbol: string): number {
    return this.holdings.get(symbol)?.settledSteps ?? 0;
  }

  /** Taken just before `GET /api/risk/limits` is sent; hand it to confirmWithRisk with the answer. */
  riskCheckpoint(nowMs: number): RiskCheckpoint {
    this.lastRiskViewAtMs = nowMs;
    return { takenAtMs: nowMs, cashCents: this.knownCashCents, netSteps: new Map(this.knownNetSteps) };
  }

  /**
   * Takes the body of `GET /api/risk/limits`: the limits, and, when risk's buying power and positions
   * are exactly what the checkpoint knew, every fill known by then becomes sellable.
   */
  confirmWithRisk(checkpoint: RiskCheckpoint, body: unknown): void {
    const fields = (body ?? {}) as Record<string, unknown>;
    const maxOrderNotionalCents = parseCents(fields.maxOrderNotional);
    const maxExposureCents = parseCents(fields.maxExposure);
    const initialBuyingPowerCents = parseCents(fields.initialBuyingPower);
    if (!maxOrderNotionalCents || !maxExposureCents || !initialBuyingPowerCents) return;
    this.limits = { maxOrderNotionalCents, maxExposureCents, initialBuyingPowerCents };

    if (parseCents(fields.buyingPower) !== initialBuyingPowerCents + checkpoint.cashCents) return;
    const riskSteps = new Map<string, number>();
    for (const position of Array.isArray(fields.positions) ? (fields.positions as Array<Record<string, unknown>>) : []) {
      const symbol = String(position.symbol);
      const holding = this.holdings.get(symbol);
      const steps = holding ? parseSteps(position.quantity, holding.decimals) : undefined;
      if (steps === undefined) return;
      riskSteps.set(symbol, steps);
    }
    for (const symbol of new Set([...riskSteps.keys(), ...checkpoint.netSteps.keys()])) {
      if ((riskSteps.get(symbol) ?? 0) !== (checkpoint.netSteps.get(symbol) ?? 0)) return;
    }
    for (const holding of this.holdings.values()) {
      for (const lot of holding.unsettled) if (lot.knownAtMs <= checkpoint.takenAtMs) holding.settledSteps += lot.steps;
      holding.unsettled = holding.unsettled.filter((lot) => lot.knownAtMs > checkpoint.takenAtMs);
    }
  }

  /** Whether to look at risk's view before deciding: bought something risk has not been seen to count, nothing to sell yet. */
  wantsRiskView(nowMs: number): boolean {
    const holdings = [...this.holdings.values()];
    return (
      nowMs - this.lastRiskViewAtMs >= RISK_VIEW_INTERVAL_MS &&
      holdings.some((holding) => holding.unsettled.length > 0) &&
      holdings.every((holding) => holding.settledSteps === 0)
    );
  }

  /** Buy or sell, and what: a sell of something confirmed, or a buy while the budget has room for one. */
  chooseIntent(symbols: readonly string[]): { side: OrderSide; symbol: string } | undefined {
    const sellable = [...this.holdings].filter(([, holding]) => holding.settledSteps > 0).map(([symbol]) => symbol);
    const canBuy = symbols.length > 0 && this.budgetCents - this.investedCents >= ORDER_NOTIONAL_RANGE_CENTS.min;
    // Past half the budget a user mostly takes profits; before that it mostly builds positions.
    const sellShare = this.investedCents > this.budgetCents / 2 ? 0.8 : 0.35;
    if (sellable.length > 0 && (!canBuy || this.random() < sellShare)) return { side: 'sell', symbol: this.pick(sellable) };
    if (canBuy) return { side: 'buy', symbol: this.pick(symbols) };
    return undefined;
  }

  /** The order for `intent` at `quote`, with its quantity or cents set aside; undefined when it cannot be sized. */
  planOrder(intent: { side: OrderSide; symbol: string }, quote: Quote): PlannedOrder | undefined {
    const holding = this.holdings.get(intent.symbol);
    const decimals = holding?.decimals ?? quantityDecimalsFor(quote.askCents);
    const midCents = (quote.bidCents + quote.askCents) / 2;
    const type = this.random() < MARKET_ORDER_SHARE ? 'market' : 'limit';
    const marketable = this.random() < MARKETABLE_LIMIT_SHARE;

    if (intent.side === 'sell') {
      if (!holding || holding.settledSteps <= 0) return undefined;
      const steps = Math.min(holding.settledSteps, Math.max(1, Math.ceil(holding.settledSteps * (0.3 + 0.7 * this.random()))));
      const limitCents = marketable ? Math.floor(quote.bidCents * 0.998) : Math.ceil(midCents);
      holding.settledSteps -= steps;
      return { body: this.body(intent, type, steps, decimals, Math.max(1, limitCents)), steps, reservedCents: 0 };
    }

    const limitCents = marketable ? Math.ceil(quote.askCents * 1.002) : Math.floor(midCents);
    const priceCents = type === 'market' ? quote.askCents : Math.max(quote.askCents, limitCents);
    const stepCostCents = (priceCents / 10 ** decimals) * PRICE_MOVE_ALLOWANCE;
    const { min, max } = ORDER_NOTIONAL_RANGE_CENTS;
    const targetCents = Math.min(min + this.random() * (max - min), this.budgetCents - this.investedCents, this.limits.maxOrderNotionalCents / 2);
    // One step at least when it fits: a $415 share for a $300 ticket is one share, not none.
    const steps = Math.max(Math.floor(targetCents / stepCostCents), stepCostCents <= Math.min(this.budgetCents - this.investedCents, this.limits.maxOrderNotionalCents / 2) ? 1 : 0);
    if (steps < 1) return undefined;
    const reservedCents = Math.ceil(steps * stepCostCents);
    this.investedCents += reservedCents;
    if (!holding) this.holdings.set(intent.symbol, { decimals, settledSteps: 0, unsettled: [] });
    return { body: this.body(intent, type, steps, decimals, Math.max(1, limitCents)), steps, reservedCents };
  }

  /**
   * The answer to `POST /api/trading/orders` (undefined: no answer, so its outcome is unknown and
   * what was set aside stays set aside, erring on the careful side).
   */
  recordPlaced(planned: PlannedOrder, status: number | undefined, body: unknown, nowMs: number): void {
    if (status === undefined) return;
    const order = (body ?? {}) as Record<string, unknown>;
    const { symbol, side } = planned.body;
    if (status === 201 && order.status === 'filled') return this.applyFill(symbol, side, planned.steps, planned.reservedCents, order, nowMs);
    if (status === 201 && order.status === 'open' && typeof order.orderId === 'string') {
      this.openOrders.set(order.orderId, { symbol, side, steps: planned.steps, reservedCents: planned.reservedCents });
      return;
    }
    this.release(symbol, side, planned.steps, planned.reservedCents);
  }

  /** An order as `GET /api/trading/orders[/:id]` shows it: a resting order of ours that filled or ended. */
  recordOrderState(body: unknown, nowMs: number): void {
    const order = (body ?? {}) as Record<string, unknown>;
    const open = typeof order.orderId === 'string' ? this.openOrders.get(order.orderId) : undefined;
    if (!open || order.status === 'open') return;
    this.openOrders.delete(order.orderId as string);
    if (order.status === 'filled') this.applyFill(open.symbol, open.side, open.steps, open.reservedCents, order, nowMs);
    else this.release(open.symbol, open.side, open.steps, open.reservedCents);
  }

  openOrderIds(): string[] {
    return [...this.openOrders.keys()];
  }

  /** Takes the body of `GET /api/portfolio`: the symbols portfolio has a position of (positions never disappear). */
  notePortfolio(body: unknown): void {
    const positions = (body as { positions?: unknown } | undefined)?.positions;
    if (!Array.isArray(positions)) return;
    for (const position of positions as Array<{ symbol?: unknown }>) if (typeof position.symbol === 'string') this.portfolioSymbols.add(position.symbol);
  }

  /** Symbols portfolio has shown a position of for this user. */
  positionSymbols(): string[] {
    return [...this.portfolioSymbols];
  }

  private body(intent: { side: OrderSide; symbol: string }, type: OrderType, steps: number, decimals: number, limitCents: number): OrderBody {
    return {
      symbol: intent.symbol,
      side: intent.side,
      type,
      quantity: formatQuantity(steps, decimals),
      ...(type === 'limit' ? { limitPrice: formatCents(limitCents) } : {}),
    };
  }

  private applyFill(symbol: string, side: OrderSide, steps: number, reservedCents: number, order: Record<string, unknown>, nowMs: number): void {
    const notionalCents = parseCents((order.trade as Record<string, unknown> | null | undefined)?.notional);
    const signedSteps = side === 'buy' ? steps : -steps;
    this.knownNetSteps.set(symbol, (this.knownNetSteps.get(symbol) ?? 0) + signedSteps);
    // Without the trade's notional the checkpoint arithmetic cannot match risk's again: no more sells, the careful side.
    this.knownCashCents += notionalCents === undefined ? Number.NaN : side === 'buy' ? -notionalCents : notionalCents;
    if (side === 'buy') {
      if (notionalCents !== undefined) this.investedCents += notionalCents - reservedCents;
      this.holdings.get(symbol)?.unsettled.push({ steps, knownAtMs: nowMs });
    } else if (notionalCents !== undefined) {
      this.investedCents -= notionalCents;
    }
  }

  private release(symbol: string, side: OrderSide, steps: number, reservedCents: number): void {
    if (side === 'buy') this.investedCents -= reservedCents;
    else {
      const holding = this.holdings.get(symbol);
      if (holding) holding.settledSteps += steps;
    }
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
}
