import type { MarketTick, TradeExecuted } from '@ai-finance/contracts';
import { QUANTITY_PATTERN } from '@ai-finance/contracts';
import { z } from 'zod';

export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,11}$/;

/** A positive decimal string with at most eight decimals ("0.5", "189.50"); zero is refused. */
const positiveDecimal = z
  .string()
  .regex(QUANTITY_PATTERN, 'must be a decimal string with at most 8 decimals')
  .refine((value) => !/^0(\.0+)?$/.test(value), 'must be greater than zero');

const isoTime = z.string().datetime({ offset: true });

/** trade.executed as trading publishes it; anything else is refused and ends in the dead-letter queue. */
export const tradeExecutedSchema = z.object({
  tradeId: z.string().min(1).max(128),
  orderId: z.string().min(1).max(128),
  userId: z.string().uuid(),
  symbol: z.string().regex(SYMBOL_PATTERN, 'must be an upper-case symbol'),
  side: z.enum(['buy', 'sell']),
  quantity: positiveDecimal,
  price: positiveDecimal,
  notional: z.string().regex(QUANTITY_PATTERN, 'must be a decimal string'),
  // Positions are valued in USD only; a trade in another currency cannot be mixed into them.
  currency: z.literal('USD'),
  executedAt: isoTime,
}) satisfies z.ZodType<TradeExecuted>;

export const marketTickSchema = z.object({
  symbol: z.string().regex(SYMBOL_PATTERN, 'must be an upper-case symbol'),
  price: positiveDecimal,
  bid: z.string(),
  ask: z.string(),
  currency: z.string(),
  sequence: z.number().int().nonnegative(),
  timestamp: isoTime,
}) satisfies z.ZodType<MarketTick>;

/** Parses `payload` or throws an error naming every bad field (the broker logs it). */
export function parseEvent<T>(schema: z.ZodType<T>, what: string, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ');
  throw new Error(`malformed ${what}: ${problems}`);
}
