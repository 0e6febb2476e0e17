import { TracedHttpClient } from '@ai-finance/observability';
import { ServiceUnavailableException } from '@nestjs/common';
import { z } from 'zod';

const decisionSchema = z.discriminatedUnion('approved', [
  z.object({ approved: z.literal(true), checkId: z.string().uuid() }),
  z.object({ approved: z.literal(false), checkId: z.string().uuid(), reason: z.string().min(1), message: z.string() }),
]);

export type RiskDecision = z.infer<typeof decisionSchema>;

export interface RiskCheckRequest {
  userId: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
}

/** risk's internal `POST /checks`. Anything but a well-formed decision means risk is unavailable. */
export class RiskClient {
  constructor(private readonly http: TracedHttpClient) {}

  async check(order: RiskCheckRequest): Promise<RiskDecision> {
    let response;
    try {
      response = await this.http.request({
        method: 'POST',
        path: '/checks',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-user-id': order.userId },
        body: JSON.stringify(order),
      });
    } catch {
      throw new ServiceUnavailableException('risk is unreachable or did not answer in time; no order was placed');
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new ServiceUnavailableException(`risk answered ${response.statusCode} to the pre-trade check; no order was placed`);
    }
    const parsed = decisionSchema.safeParse(await response.body.json().catch(() => undefined));
    if (!parsed.success) throw new ServiceUnavailableException('risk answered an unusable pre-trade decision; no order was placed');
    return parsed.data;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
