import { parseCents } from './money';

export interface Quote {
  symbol: string;
  bidCents: number;
  askCents: number;
  receivedAtMs: number;
}

/**
 * The latest quote of each symbol any simulated user has read, shared by all of them the way an app's
 * market screen is: orders are priced from it, and its symbols are the ones market-data lists.
 */
export class QuoteBoard {
  private readonly quotes = new Map<string, Quote>();
  /** The map's keys in insertion order, kept as they come so that reading them allocates nothing. */
  private readonly symbolList: string[] = [];

  /** Takes a `Quote` body of market-data (`{symbol, bid, ask, ...}`); ignores anything unusable. */
  update(body: unknown, receivedAtMs: number): void {
    if (typeof body !== 'object' || body === null) return;
    const { symbol, bid, ask } = body as Record<string, unknown>;
    const bidCents = parseCents(bid);
    const askCents = parseCents(ask);
    if (typeof symbol !== 'string' || bidCents === undefined || askCents === undefined || bidCents <= 0 || askCents < bidCents) return;
    if (!this.quotes.has(symbol)) this.symbolList.push(symbol);
    this.quotes.set(symbol, { symbol, bidCents, askCents, receivedAtMs });
  }

  /** Takes the `{quotes: [...]}` body of the quote list. */
  updateAll(body: unknown, receivedAtMs: number): void {
    const quotes = (body as { quotes?: unknown } | null)?.quotes;
    if (Array.isArray(quotes)) for (const quote of quotes) this.update(quote, receivedAtMs);
  }

  get(symbol: string): Quote | undefined {
    return this.quotes.get(symbol);
  }

  /** Every symbol with a quote, in the order first seen; the board's own list, which grows as new symbols arrive. */
  symbols(): readonly string[] {
    return this.symbolList;
  }
}
