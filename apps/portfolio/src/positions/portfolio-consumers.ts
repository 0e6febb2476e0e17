import { EVENTS, type MarketTick, type TradeExecuted } from '@ai-finance/contracts';
import { ExactlyOnceConsumer, RabbitBroker } from '@ai-finance/messaging';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { marketTickSchema, parseEvent, tradeExecutedSchema } from './events';
import { MarketPrices } from './market-prices';
import { TradeLedger } from './trade-ledger';

export const TRADES_QUEUE = 'portfolio.trades';
export const MARKET_TICKS_QUEUE = 'portfolio.market-ticks';

/**
 * What portfolio listens to: executed trades, exactly once and one at a time (prefetch 1), so a user's
 * trades apply in the order trading published them (the average-cost method depends on it); and market
 * ticks, concurrently, since the newest tick wins whatever the order.
 */
@Injectable()
export class PortfolioConsumers implements OnApplicationBootstrap {
  constructor(
    private readonly exactlyOnce: ExactlyOnceConsumer,
    private readonly broker: RabbitBroker,
    private readonly ledger: TradeLedger,
    private readonly prices: MarketPrices,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.exactlyOnce.consume<TradeExecuted>(
      TRADES_QUEUE,
      [EVENTS.tradeExecuted],
      async (payload, tx) => {
        await this.ledger.apply(parseEvent(tradeExecutedSchema, EVENTS.tradeExecuted, payload), tx);
      },
      { prefetch: 1 },
    );
    await this.broker.consume<MarketTick>(MARKET_TICKS_QUEUE, [`${EVENTS.marketTickPrefix}.*`], async (payload) => {
      const stored = await this.prices.record(parseEvent(marketTickSchema, 'market tick', payload));
      return stored ? 'processed' : 'duplicate';
    }, { superseded: true });
  }
}
