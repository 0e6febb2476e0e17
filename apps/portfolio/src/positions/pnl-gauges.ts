import { Database } from '@ai-finance/database';
import { SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
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
export class PnlGauges implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly database: Database,
    @Inject(PORTFOLIO_CONFIG) private readonly config: PortfolioConfig,
    @Inject(PORTFOLIO_METRICS) private readonly metrics: PortfolioMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.metricsRefreshMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
  }

  /** Recomputes the gauges; a refresh still running is awaited instead of started twice. */
  refresh(): Promise<void> {
    this.inFlight ??= this.recompute().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async recompute(): Promise<void> {
    try {
      const { rows } = await this.database.query<TotalsRow>('select_platform_pnl', PLATFORM_TOTALS);
      const totals = rows[0]!;
      this.metrics.pnl.set({ kind: 'realized' }, Number(totals.realized));
      this.metrics.pnl.set({ kind: 'unrealized' }, Number(totals.unrealized));
      this.metrics.positionsOpen.set(totals.open);
    } catch (error) {
      this.logger.warn({ error }, 'could not refresh the portfolio P&L gauges; they keep their previous values');
    }
  }
}
