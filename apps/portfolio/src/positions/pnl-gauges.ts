import { Database } from '@ai-finance/database';
import { RefreshedGauges, SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable } from '@nestjs/common';
import { PORTFOLIO_CONFIG, type PortfolioConfig } from '../config';
import { PORTFOLIO_METRICS, type PortfolioMetrics } from '../metrics';

interface TotalsRow {
  realized: string;
  unrealized: string;
  open: number;
}

/** One pass over the positions table (one row per user and symbol), marked like the API marks them. */
const PLATFORM_TOTALS = `
  SELECT coalesce(sum(p.realized_pnl), 0)::text AS realized,
         coalesce(sum((coalesce(m.price, l.price, p.average_cost) - p.average_cost) * p.quantity) FILTER (WHERE p.quantity <> 0), 0)::text AS unrealized,
         (count(*) FILTER (WHERE p.quantity <> 0))::int AS open
  FROM positions p
  LEFT JOIN market_prices m ON m.symbol = p.symbol
  LEFT JOIN last_trade_prices l ON l.symbol = p.symbol`;

/**
 * Keeps `portfolio_pnl` and `portfolio_positions_open` up to date from PostgreSQL: once at start, then
 * every PORTFOLIO_METRICS_REFRESH_MS. A failed refresh logs a warning and leaves the previous values.
 */
@Injectable()
export class PnlGauges extends RefreshedGauges {
  constructor(
    private readonly database: Database,
    @Inject(PORTFOLIO_CONFIG) config: PortfolioConfig,
    @Inject(PORTFOLIO_METRICS) private readonly metrics: PortfolioMetrics,
    @Inject(SERVICE_LOGGER) logger: ServiceLogger,
  ) {
    super({
      intervalMs: config.metricsRefreshMs,
      failureMessage: 'could not refresh the portfolio P&L gauges; they keep their previous values',
      logger,
    });
  }

  protected async recompute(): Promise<void> {
    const { rows } = await this.database.query<TotalsRow>('select_platform_pnl', PLATFORM_TOTALS);
    const totals = rows[0]!;
    this.metrics.pnl.set({ kind: 'realized' }, Number(totals.realized));
    this.metrics.pnl.set({ kind: 'unrealized' }, Number(totals.unrealized));
    this.metrics.positionsOpen.set(totals.open);
  }
}
