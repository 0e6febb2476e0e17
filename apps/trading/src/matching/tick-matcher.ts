import { MONEY_PATTERN, type MarketTick } from '@ai-finance/contracts';
import { Database } from '@ai-finance/database';
import { RabbitBroker } from '@ai-finance/messaging';
import { SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { z } from 'zod';
import { ExecutionLatency } from '../execution/execution-latency';
import { OrderFills } from '../orders/order-fills';

export const MARKET_TICKS_QUEUE = 'trading.market-ticks';

/** Most resting orders one tick fills; the rest wait for the next tick of the symbol. */
const FILLS_PER_TICK = 100;

const price = z.string().regex(MONEY_PATTERN).refine((value) => /[1-9]/.test(value), 'must be above zero');
const tickSchema = z.object({
  symbol: z.string().regex(/^[A-Z][A-Z0-9.-]{0,11}$/),
  price,
  bid: price,
  ask: price,
  currency: z.string(),
  sequence: z.number().int(),
  timestamp: z.string(),
});

/**
 * Fills resting limit orders when a market tick crosses them: a buy at the tick's ask once ask ≤ limit,
 * a sell at its bid once bid ≥ limit. Ticks may repeat; a fill only happens to an order still open,
 * so a repeated tick fills nothing twice.
 */
@Injectable()
export class TickMatcher implements OnApplicationBootstrap {
  constructor(
    private readonly broker: RabbitBroker,
    private readonly database: Database,
    private readonly fills: OrderFills,
    private readonly latency: ExecutionLatency,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.broker.consume<MarketTick>(MARKET_TICKS_QUEUE, ['market.tick.*'], (tick) => this.onTick(tick), { superseded: true });
  }

  async onTick(payload: unknown): Promise<void> {
    const parsed = tickSchema.safeParse(payload);
    if (!parsed.success) throw new Error(`invalid market tick: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    const tick = parsed.data;
    const { rows } = await this.database.query<{ id: string }>(
      'find_crossing_orders',
      `SELECT id FROM orders
        WHERE symbol = $1 AND status = 'open'
          AND ((side = 'buy' AND limit_price >= $2) OR (side = 'sell' AND limit_price <= $3))
        ORDER BY created_at, id LIMIT $4`,
      [tick.symbol, tick.ask, tick.bid, FILLS_PER_TICK],
    );
    for (const { id } of rows) {
      // The simulated latency passes before the row is locked, so no connection is held while waiting.
      await this.latency.wait();
      const trade = await this.fills.fillOpenOrder(id, tick);
      if (!trade) this.logger.debug({ order_id: id, sequence: tick.sequence }, 'order no longer open or crossing when its fill started; skipped');
    }
  }
}
