import { Database } from '@ai-finance/database';
import { Injectable } from '@nestjs/common';
import { Decimal, formatMoney, formatQuantity } from './decimal';

export interface PositionView {
  symbol: string;
  quantity: string;
  averageCost: string;
  marketPrice: string;
  marketValue: string;
  unrealizedPnl: string;
  realizedPnl: string;
}

export interface PortfolioView {
  userId: string;
  currency: 'USD';
  asOf: string;
  positions: PositionView[];
  totals: { marketValue: string; unrealizedPnl: string; realizedPnl: string };
}

interface ValuedRow {
  symbol: string;
  quantity: string;
  average_cost: string;
  realized_pnl: string;
  market_price: string;
}

interface Valued {
  view: PositionView;
  marketValue: Decimal;
  unrealizedPnl: Decimal;
  realizedPnl: Decimal;
}

/**
 * A position is marked at the latest market tick of its symbol; before the first tick, at the latest
 * trade price of the symbol on the platform.
 */
const VALUED_POSITIONS = `
  SELECT p.symbol, p.quantity, p.average_cost, p.realized_pnl, coalesce(m.price, l.price, p.average_cost) AS market_price
  FROM positions p
  LEFT JOIN market_prices m ON m.symbol = p.symbol
  LEFT JOIN last_trade_prices l ON l.symbol = p.symbol
  WHERE p.user_id = $1`;

@Injectable()
export class PortfolioValuation {
  constructor(private readonly database: Database) {}

  async portfolio(userId: string): Promise<PortfolioView> {
    const { rows } = await this.database.query<ValuedRow>('select_portfolio', `${VALUED_POSITIONS} ORDER BY p.symbol`, [userId]);
    const valued = rows.map(value);
    const sum = (pick: (position: Valued) => Decimal) => valued.reduce((total, position) => total.plus(pick(position)), new Decimal(0));
    return {
      userId,
      currency: 'USD',
      asOf: new Date().toISOString(),
      positions: valued.map((position) => position.view),
      // Totals add the exact values and round once, so they may differ by a cent from the sum of the rounded lines.
      totals: {
        marketValue: formatMoney(sum((position) => position.marketValue)),
        unrealizedPnl: formatMoney(sum((position) => position.unrealizedPnl)),
        realizedPnl: formatMoney(sum((position) => position.realizedPnl)),
      },
    };
  }

  /** One position (also one at zero quantity, which keeps its realised P&L), or undefined if never held. */
  async position(userId: string, symbol: string): Promise<PositionView | undefined> {
    const { rows } = await this.database.query<ValuedRow>('select_position', `${VALUED_POSITIONS} AND p.symbol = $2`, [userId, symbol]);
    return rows[0] ? value(rows[0]).view : undefined;
  }
}

function value(row: ValuedRow): Valued {
  const quantity = new Decimal(row.quantity);
  const averageCost = new Decimal(row.average_cost);
  const marketPrice = new Decimal(row.market_price);
  const realizedPnl = new Decimal(row.realized_pnl);
  const marketValue = quantity.times(marketPrice);
  const unrealizedPnl = marketPrice.minus(averageCost).times(quantity);
  return {
    marketValue,
    unrealizedPnl,
    realizedPnl,
    view: {
      symbol: row.symbol,
      quantity: formatQuantity(quantity),
      averageCost: formatMoney(averageCost),
      marketPrice: formatMoney(marketPrice),
      marketValue: formatMoney(marketValue),
      unrealizedPnl: formatMoney(unrealizedPnl),
      realizedPnl: formatMoney(realizedPnl),
    },
  };
}
