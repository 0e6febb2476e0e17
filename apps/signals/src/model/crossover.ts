import DecimalJs from 'decimal.js';
import type { SignalDirection } from '@ai-finance/contracts';

export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN });
export type Decimal = InstanceType<typeof Decimal>;

export interface CrossoverSettings {
  shortWindow: number;
  longWindow: number;
  cooldownTicks: number;
  confidenceScale: number;
}

export interface PricePoint {
  sequence: number;
  price: Decimal;
}

/** One symbol's model state: everything the next tick needs. */
export interface SymbolState {
  /** Sequence of the last tick applied; a tick not above it is a repeat and is ignored. */
  lastSequence: number;
  /** The last `longWindow` ticks, oldest first. */
  history: PricePoint[];
  /** Which side of the long average the short one was last seen strictly on (1 above, −1 below), once known. */
  lastRelation: 1 | -1 | null;
  /** Ticks since the last signal of this symbol; null if it never signalled. */
  ticksSinceSignal: number | null;
}

export interface Crossing {
  direction: SignalDirection;
  confidence: number;
  shortSma: Decimal;
  longSma: Decimal;
}

export function initialState(): SymbolState {
  return { lastSequence: -1, history: [], lastRelation: null, ticksSinceSignal: null };
}

/**
 * confidence = 0.5 + min(0.49, |short − long| / long × scale), rounded to 4 decimals: 0.5 when the
 * averages touch, 0.99 at most.
 */
export function confidenceOf(shortSma: Decimal, longSma: Decimal, scale: number): number {
  const gap = shortSma.minus(longSma).abs().dividedBy(longSma).times(scale);
  return Decimal.min(0.49, gap).plus(0.5).toDecimalPlaces(4, DecimalJs.ROUND_HALF_UP).toNumber();
}

function mean(points: PricePoint[]): Decimal {
  return points.reduce((sum, point) => sum.plus(point.price), new Decimal(0)).dividedBy(points.length);
}

/**
 * Moving-average crossover, one tick at a time. Once the long window is full, the short SMA (last
 * `shortWindow` ticks) is compared with the long SMA (last `longWindow` ticks). When the short one moves
 * from strictly below to strictly above the long one (possibly through a tick where they are equal), that
 * is an 'up' crossing; the reverse is 'down'. The first full window only establishes the side. A crossing
 * becomes a signal unless fewer than `cooldownTicks` + 1 ticks have passed since the symbol's last
 * signal; a crossing swallowed by the cooldown is not signalled later.
 */
export function step(state: SymbolState, point: PricePoint, settings: CrossoverSettings): { next: SymbolState; crossing?: Crossing } {
  const history = [...state.history, point].slice(-settings.longWindow);
  const ticksSinceSignal = state.ticksSinceSignal === null ? null : state.ticksSinceSignal + 1;
  const next: SymbolState = { lastSequence: point.sequence, history, lastRelation: state.lastRelation, ticksSinceSignal };
  if (history.length < settings.longWindow) return { next };

  const shortSma = mean(history.slice(-settings.shortWindow));
  const longSma = mean(history);
  const relation = shortSma.comparedTo(longSma);
  if (relation === 0) return { next };
  const side = relation > 0 ? 1 : -1;
  next.lastRelation = side;
  const crossed = state.lastRelation !== null && state.lastRelation !== side;
  const cooledDown = ticksSinceSignal === null || ticksSinceSignal > settings.cooldownTicks;
  if (!crossed || !cooledDown) return { next };

  next.ticksSinceSignal = 0;
  return {
    next,
    crossing: { direction: side > 0 ? 'up' : 'down', confidence: confidenceOf(shortSma, longSma, settings.confidenceScale), shortSma, longSma },
  };
}
