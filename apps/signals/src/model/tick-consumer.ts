import { EVENTS, type MarketTick } from '@ai-finance/contracts';
import { RabbitBroker } from '@ai-finance/messaging';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { parseMarketTick } from './market-tick';
import { SignalEngine } from './signal-engine';

export const MARKET_TICKS_QUEUE = 'signals.market-ticks';

/** Rebuilds the model, then consumes ticks one at a time (prefetch 1) so each symbol's ticks apply in order. */
@Injectable()
export class TickConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly broker: RabbitBroker,
    private readonly engine: SignalEngine,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.load();
    await this.broker.consume<MarketTick>(MARKET_TICKS_QUEUE, [`${EVENTS.marketTickPrefix}.*`], (payload) => this.engine.onTick(parseMarketTick(payload)), {
      prefetch: 1,
      superseded: true,
    });
  }
}
