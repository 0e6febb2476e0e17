import { MONEY_PATTERN } from '@ai-finance/contracts';
import { TracedHttpClient } from '@ai-finance/observability';
import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { z } from 'zod';

const price = z.string().regex(MONEY_PATTERN).refine((value) => /[1-9]/.test(value), 'must be above zero');

const quoteSchema = z.object({ symbol: z.string(), price, bid: price, ask: price, currency: z.string(), sequence: z.number(), timestamp: z.string() });

export type Quote = z.infer<typeof quoteSchema>;

/** market-data's `GET /quotes/:symbol`, with its answers turned into what an order request should say. */
export class MarketDataClient {
  constructor(private readonly http: TracedHttpClient) {}

  async quote(symbol: string): Promise<Quote> {
    let response;
    try {
      response = await this.http.request({ method: 'GET', path: `/quotes/${encodeURIComponent(symbol)}`, headers: { accept: 'application/json' } });
    } catch {
      throw new ServiceUnavailableException('market-data is unreachable or did not answer in time; no order was placed');
    }
    if (response.statusCode === 404) {
      await response.body.dump();
      throw new BadRequestException(`unknown symbol ${symbol}`);
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new ServiceUnavailableException(
        response.statusCode === 503
          ? `market-data has no price for ${symbol} right now; no order was placed`
          : `market-data answered ${response.statusCode}; no order was placed`,
      );
    }
    const parsed = quoteSchema.safeParse(await response.body.json().catch(() => undefined));
    if (!parsed.success || parsed.data.symbol !== symbol) {
      throw new ServiceUnavailableException(`market-data answered an unusable quote for ${symbol}; no order was placed`);
    }
    return parsed.data;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
