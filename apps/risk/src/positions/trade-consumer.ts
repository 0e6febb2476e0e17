import { EVENTS } from '@ai-finance/contracts';
import { ExactlyOnceConsumer } from '@ai-finance/messaging';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { RiskState } from './risk-state';
import { parseTradeExecuted } from './trade-event';

export const TRADES_QUEUE = 'risk.trades';

/** Keeps positions and cash current from `trade.executed`, each event applied exactly once. */
@Injectable()
export class TradeConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumer: ExactlyOnceConsumer,
    private readonly state: RiskState,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.consume(
      TRADES_QUEUE,
      [EVENTS.tradeExecuted],
      async (payload, tx) => {
        await this.state.applyTrade(tx, parseTradeExecuted(payload));
      },
      // One at a time: a position's average cost depends on the order of its trades.
      { prefetch: 1 },
    );
  }
}
