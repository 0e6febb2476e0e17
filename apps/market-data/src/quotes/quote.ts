import { halfSpreadCents } from './random-walk';

/** What clients and events see: decimal strings, never floats, for money. */
export interface Quote {
  symbol: string;
  price: string;
  bid: string;
  ask: string;
  currency: 'USD';
  sequence: number;
  timestamp: string;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const absolute = Math.abs(cents);
  return `${sign}${Math.floor(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`;
}

export function parseCents(decimal: string): number {
  return Math.round(Number(decimal) * 100);
}

export function quoteOf(symbol: string, priceCents: number, sequence: number, at: Date): Quote {
  const half = halfSpreadCents(priceCents);
  return {
    symbol,
    price: formatCents(priceCents),
    bid: formatCents(Math.max(1, priceCents - half)),
    ask: formatCents(priceCents + half),
    currency: 'USD',
    sequence,
    timestamp: at.toISOString(),
  };
}
