import type { MarketTick } from '@ai-finance/contracts';
import { z } from 'zod';

export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,11}$/;

/** market.tick.<SYMBOL> as market-data publishes it; anything else is refused (and dead-lettered). */
const marketTickSchema = z.object({
  symbol: z.string().regex(SYMBOL_PATTERN, 'must be an upper-case symbol'),
  price: z
    .string()
    .regex(/^(0|[1-9]\d{0,11})(\.\d{1,8})?$/, 'must be a decimal string with at most 8 decimals')
    .refine((value) => !/^0(\.0+)?$/.test(value), 'must be greater than zero'),
  bid: z.string(),
  ask: z.string(),
  currency: z.string(),
  sequence: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  timestamp: z.string().datetime({ offset: true }),
}) satisfies z.ZodType<MarketTick>;

export function parseMarketTick(payload: unknown): MarketTick {
  const result = marketTickSchema.safeParse(payload);
  if (result.success) return result.data;
  throw new Error(`malformed market tick: ${result.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ')}`);
}
