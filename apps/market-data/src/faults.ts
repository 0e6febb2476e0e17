import { FaultRegistry } from '@ai-finance/observability';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PriceFeed } from './quotes/price-feed';

/** market-data's fault (docs/fault-injection.md): a feed that goes quiet while the service stays up. */
@Injectable()
export class MarketDataFaults implements OnModuleInit {
  constructor(
    private readonly registry: FaultRegistry,
    private readonly feed: PriceFeed,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      name: 'market-data-stall',
      description: 'The price feed stops ticking (nothing stored in Redis or published) while the API keeps serving the last, now stale, quotes.',
      apply: () => this.feed.pause(),
      clear: () => this.feed.resume(),
    });
  }
}
