import type { MarketTick } from '@ai-finance/contracts';
import { Database } from '@ai-finance/database';
import { Injectable } from '@nestjs/common';

/** The latest tick per symbol, the mark for unrealised P&L. */
@Injectable()
export class MarketPrices {
  constructor(private readonly database: Database) {}

  /** Stores the tick unless a newer one (by time, then sequence) is already there; false when it was stale or a repeat. */
  async record(tick: MarketTick): Promise<boolean> {
    const { rowCount } = await this.database.query(
      'upsert_market_price',
      `INSERT INTO market_prices (symbol, price, as_of, sequence) VALUES ($1, $2, $3, $4)
       ON CONFLICT (symbol) DO UPDATE SET price = EXCLUDED.price, as_of = EXCLUDED.as_of, sequence = EXCLUDED.sequence
       WHERE (EXCLUDED.as_of, EXCLUDED.sequence) > (market_prices.as_of, market_prices.sequence)`,
      [tick.symbol, tick.price, tick.timestamp, tick.sequence],
    );
    return rowCount > 0;
  }
}
