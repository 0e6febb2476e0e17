import { Controller, Get, Inject, NotFoundException, Param, ServiceUnavailableException } from '@nestjs/common';
import { IsString, Matches } from 'class-validator';
import { Transform } from 'class-transformer';
import { MARKET_DATA_METRICS, type MarketDataMetrics } from '../metrics';
import { PriceFeed } from './price-feed';
import type { Quote } from './quote';
import { QuoteCache } from './quote-cache';

class SymbolParams {
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsString()
  @Matches(/^[A-Z][A-Z0-9.-]{0,11}$/, { message: 'symbol must be 1 to 12 letters, digits, dots or dashes, starting with a letter' })
  symbol!: string;
}

@Controller('quotes')
export class QuotesController {
  constructor(
    private readonly feed: PriceFeed,
    private readonly cache: QuoteCache,
    @Inject(MARKET_DATA_METRICS) private readonly metrics: MarketDataMetrics,
  ) {}

  @Get()
  async all(): Promise<{ quotes: Quote[] }> {
    return { quotes: await this.fromCache(() => this.cache.latestOf(this.feed.symbols)) };
  }

  @Get(':symbol')
  async one(@Param() { symbol }: SymbolParams): Promise<Quote> {
    if (!this.feed.isKnown(symbol)) {
      this.metrics.quoteRequests.inc({ outcome: 'unknown_symbol' });
      throw new NotFoundException(`Unknown symbol "${symbol}". Known symbols: ${this.feed.symbols.join(', ')}`);
    }
    const quote = await this.fromCache(() => this.cache.latest(symbol));
    if (!quote) {
      this.metrics.quoteRequests.inc({ outcome: 'not_yet_priced' });
      throw new ServiceUnavailableException(`No price for "${symbol}" yet: the feed has not ticked since start-up`);
    }
    this.metrics.quoteRequests.inc({ outcome: 'found' });
    return quote;
  }

  private async fromCache<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch {
      throw new ServiceUnavailableException('The quote cache (Redis) is unavailable; try again shortly');
    }
  }
}
