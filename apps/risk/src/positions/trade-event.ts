import { MONEY_PATTERN, QUANTITY_PATTERN, type TradeExecuted } from '@ai-finance/contracts';
import { z } from 'zod';

const positive = (value: string) => /[1-9]/.test(value);

/** `trade.executed` as risk accepts it; anything else is garbage and goes to the dead-letter queue. */
export const tradeExecutedSchema = z.object({
  tradeId: z.string().uuid(),
  orderId: z.string().uuid(),
  userId: z.string().uuid(),
  symbol: z.string().regex(/^[A-Z][A-Z0-9.-]{0,11}$/),
  side: z.enum(['buy', 'sell']),
  quantity: z.string().regex(QUANTITY_PATTERN).refine(positive, 'quantity must be above zero'),
  price: z.string().regex(MONEY_PATTERN).refine(positive, 'price must be above zero'),
  notional: z.string().regex(/^\d{1,24}(\.\d{1,2})?$/),
  currency: z.literal('USD'),
  executedAt: z.string().datetime({ offset: true }),
}) satisfies z.ZodType<TradeExecuted>;

export type ValidTrade = z.infer<typeof tradeExecutedSchema>;

export function parseTradeExecuted(payload: unknown): ValidTrade {
  const result = tradeExecutedSchema.safeParse(payload);
  if (!result.success) {
    throw new Error(`invalid trade.executed payload: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return { ...result.data, userId: result.data.userId.toLowerCase() };
}
