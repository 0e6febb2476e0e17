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

  /** Takes a `Quote` body of market-data (`{symbol, bid, ask, ...}`); ignores anything unusable. */
  update(body: unknown, receivedAtMs: number): void {
    if (typeof body !== 'object' || body === null) return;
    const { symbol, bid, ask } = body as Record<string, unknown>;
    const bidCents = parseCents(bid);
    const askCents = parseCents(ask);
    if (typeof symbol !== 'string' || bidCents === undefined || askCents === undefined || bidCents <= 0 || askCents < bidCents) return;
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

  symbols(): string[] {
    return [...this.quotes.keys()];
  }
}
