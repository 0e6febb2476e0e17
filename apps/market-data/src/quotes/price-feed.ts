import type { RabbitBroker } from '@ai-finance/messaging';
import { injectTraceHeaders, type ServiceLogger } from '@ai-finance/observability';
import type { MarketDataConfig } from '../config';
import type { MarketDataMetrics } from '../metrics';
import { parseCents, quoteOf, type Quote } from './quote';
import type { QuoteCache } from './quote-cache';
import { nextPriceCents, standardNormal } from './random-walk';

/** How long start-up waits for Redis before pricing from the configuration instead. */
const REDIS_WAIT_AT_START_MS = 5_000;

interface InstrumentState {
  priceCents: number;
  sequence: number;
}

/**
 * The simulated exchange feed: every tick moves each symbol's price one random-walk step, stores the
 * quote in Redis and publishes it as `market.tick.<SYMBOL>`. A tick that RabbitMQ cannot take is
 * counted and skipped; prices keep moving.
 */
export class PriceFeed {
  private readonly state = new Map<string, InstrumentState>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private paused = false;
  private inFlight: Promise<unknown> | undefined;
  private readonly knownSymbols: readonly string[];
  private readonly knownSet: ReadonlySet<string>;

  constructor(
    private readonly config: MarketDataConfig,
    private readonly cache: QuoteCache,
    private readonly broker: RabbitBroker,
    private readonly metrics: MarketDataMetrics,
    private readonly logger: ServiceLogger,
  ) {
    this.knownSymbols = config.instruments.map((instrument) => instrument.symbol);
    this.knownSet = new Set(this.knownSymbols);
  }

  /** The configured symbols; fixed for the life of the process. */
  get symbols(): readonly string[] {
    return this.knownSymbols;
  }

  isKnown(symbol: string): boolean {
    return this.knownSet.has(symbol);
  }

  /** Continues from the prices already in Redis, so a restart does not jump every price back. */
  async start(): Promise<void> {
    const cached = await this.previousQuotes();
    const bySymbol = new Map(cached.map((quote) => [quote.symbol, quote]));
    for (const { symbol, initialPriceCents } of this.config.instruments) {
      const previous = bySymbol.get(symbol);
      this.state.set(symbol, {
        priceCents: previous ? parseCents(previous.price) : initialPriceCents,
        sequence: previous ? previous.sequence : 0,
      });
    }
    this.running = true;
    this.schedule();
  }

  private async previousQuotes(): Promise<Quote[]> {
    if (await this.cache.waitUntilConnected(REDIS_WAIT_AT_START_MS)) {
      try {
        return await this.cache.latestOf(this.symbols);
      } catch (error) {
        this.logger.warn({ error }, 'could not read the previous quotes from Redis; starting from the configured prices');
        return [];
      }
    }
    this.logger.warn({ waited_ms: REDIS_WAIT_AT_START_MS }, 'Redis not reachable at start-up; starting from the configured prices');
    return [];
  }

  /** Stops ticking; resolves once a tick already under way has finished with Redis and RabbitMQ. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /**
   * Stops producing ticks while the process, its API and the last quotes in Redis stay up, as when the
   * exchange connection stalls (the market-data-stall fault). Resolves once a tick already under way
   * has finished, so no tick follows the returned promise.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await this.inFlight;
  }

  /** Ticks again, continuing from the prices and sequence numbers the feed had when it paused. */
  resume(): void {
    this.paused = false;
  }

  /** One step for every symbol; exposed so tests can drive the feed without waiting. */
  async tick(now: Date = new Date()): Promise<Quote[]> {
    const stepSeconds = this.config.tickIntervalMs / 1000;
    const quotes: Quote[] = [];
    for (const [symbol, instrument] of this.state) {
      instrument.priceCents = nextPriceCents(instrument.priceCents, this.config.volatility, stepSeconds, standardNormal());
      instrument.sequence += 1;
      quotes.push(quoteOf(symbol, instrument.priceCents, instrument.sequence, now));
    }

    try {
      await this.cache.store(quotes);
    } catch (error) {
      this.logger.warn({ error }, 'could not cache quotes in Redis; readers see the previous prices');
    }

    const nowSeconds = now.getTime() / 1000;
    const published = await this.broker.publishAll(
      quotes.map((quote) => ({ routingKey: `market.tick.${quote.symbol}`, payload: quote, messageId: `${quote.symbol}-${quote.sequence}`, headers: injectTraceHeaders({}) })),
    );
    const latencySeconds = (Date.now() - now.getTime()) / 1000;
    for (const quote of quotes) {
      this.metrics.ticksPublished.inc({ symbol: quote.symbol, outcome: published ? 'published' : 'not_published' });
      this.metrics.lastTickTimestamp.set({ symbol: quote.symbol }, nowSeconds);
      this.metrics.price.set({ symbol: quote.symbol }, Number(quote.price));
      if (published) this.metrics.feedLatency.observe(latencySeconds);
    }
    return quotes;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      // While paused the schedule keeps turning, so resuming needs no timer of its own.
      if (this.paused) return this.schedule();
      this.inFlight = this.tick()
        .catch((error: unknown) => this.logger.error({ log_type: 'error', error }, 'price tick failed'))
        .finally(() => this.schedule());
    }, this.config.tickIntervalMs);
  }
}
