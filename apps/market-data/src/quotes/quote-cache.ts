import type Redis from 'ioredis';
import type { Quote } from './quote';

/** The latest quote per symbol, in Redis, so every instance and reader sees the same price. */
export class QuoteCache {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  /** Resolves true once Redis is connected, or false after `timeoutMs`: commands fail fast until then. */
  async waitUntilConnected(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const finish = (connected: boolean): void => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(connected);
      };
      const onReady = (): void => finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.redis.once('ready', onReady);
    });
  }

  async store(quotes: Quote[]): Promise<void> {
    if (quotes.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const quote of quotes) pipeline.set(this.key(quote.symbol), JSON.stringify(quote));
    const results = await pipeline.exec();
    const failure = results?.find(([error]) => error !== null);
    if (failure) throw failure[0];
  }

  async latest(symbol: string): Promise<Quote | undefined> {
    const raw = await this.redis.get(this.key(symbol));
    return raw === null ? undefined : (JSON.parse(raw) as Quote);
  }

  async latestOf(symbols: readonly string[]): Promise<Quote[]> {
    if (symbols.length === 0) return [];
    const raws = await this.redis.mget(symbols.map((symbol) => this.key(symbol)));
    return raws.filter((raw): raw is string => raw !== null).map((raw) => JSON.parse(raw) as Quote);
  }

  private key(symbol: string): string {
    return `${this.keyPrefix}quote:${symbol}`;
  }
}
