import { env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

export const TRADING_CONFIG = Symbol('TRADING_CONFIG');

export function loadTradingConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      /** market-data's base URL: GET /quotes/:symbol prices every order. */
      MARKET_DATA_URL: env.url().default('http://127.0.0.1:3040'),
      /** risk's base URL: POST /checks approves or rejects every order. */
      RISK_URL: env.url().default('http://127.0.0.1:3070'),
      /** Time allowed to market-data and risk for their answer; past it the order fails with 503. */
      UPSTREAM_TIMEOUT_MS: env.positiveInt(2_000),
      /** Simulated exchange latency added before each fill; the trading-latency fault adds to it at run time (ExecutionLatency). */
      TRADING_EXECUTION_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
    },
    source,
  );
  return {
    marketDataUrl: values.MARKET_DATA_URL,
    riskUrl: values.RISK_URL,
    upstreamTimeoutMs: values.UPSTREAM_TIMEOUT_MS,
    executionLatencyMs: values.TRADING_EXECUTION_LATENCY_MS,
  };
}

export type TradingConfig = ReturnType<typeof loadTradingConfig>;
