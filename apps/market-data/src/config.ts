import { env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

export const MARKET_DATA_CONFIG = Symbol('MARKET_DATA_CONFIG');

const SYMBOL = /^[A-Z][A-Z0-9.-]{0,11}$/;

/** `AAPL:189.50` pairs: the symbols this feed publishes and where each one's random walk starts. */
const instruments = z
  .string()
  .default('AAPL:189.50,MSFT:415.20,GOOGL:172.30,AMZN:186.40,NVDA:121.80,TSLA:248.90,JPM:212.10,BTC-USD:67250.00,ETH-USD:3480.00,SPY:565.40')
  .transform((value, ctx) => {
    const parsed: Array<{ symbol: string; initialPriceCents: number }> = [];
    for (const entry of value.split(',').map((item) => item.trim()).filter(Boolean)) {
      const [symbol, price, ...extra] = entry.split(':');
      const priceCents = Math.round(Number(price) * 100);
      if (!symbol || !SYMBOL.test(symbol) || extra.length > 0 || !Number.isFinite(priceCents) || priceCents <= 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${entry}" is not SYMBOL:PRICE with a positive price` });
        return z.NEVER;
      }
      if (parsed.some((instrument) => instrument.symbol === symbol)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${symbol}" is listed twice` });
        return z.NEVER;
      }
      parsed.push({ symbol, initialPriceCents: priceCents });
    }
    if (parsed.length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'at least one SYMBOL:PRICE is needed' });
    return parsed;
  });

export function loadMarketDataConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
      REDIS_KEY_PREFIX: z.string().default('market-data:'),
      MARKET_INSTRUMENTS: instruments,
      MARKET_TICK_INTERVAL_MS: env.positiveInt(1_000),
      /** Annualised volatility of the random walk, e.g. 0.4 for 40%. */
      MARKET_VOLATILITY: z.coerce.number().positive().max(5).default(0.4),
    },
    source,
  );
  return {
    redisUrl: values.REDIS_URL,
    redisKeyPrefix: values.REDIS_KEY_PREFIX,
    instruments: values.MARKET_INSTRUMENTS,
    tickIntervalMs: values.MARKET_TICK_INTERVAL_MS,
    volatility: values.MARKET_VOLATILITY,
  };
}

export type MarketDataConfig = ReturnType<typeof loadMarketDataConfig>;
