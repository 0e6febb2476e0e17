import { env, loadEnv } from '@ai-finance/observability';

export const PORTFOLIO_CONFIG = Symbol('PORTFOLIO_CONFIG');

export function loadPortfolioConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      /** How often the platform-wide P&L and open-position gauges are recomputed from PostgreSQL. */
      PORTFOLIO_METRICS_REFRESH_MS: env.positiveInt(5_000),
    },
    source,
  );
  return { metricsRefreshMs: values.PORTFOLIO_METRICS_REFRESH_MS };
}

export type PortfolioConfig = ReturnType<typeof loadPortfolioConfig>;
