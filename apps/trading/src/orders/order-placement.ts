import { EVENTS, type OrderEvent } from '@ai-finance/contracts';
import { Database, type Transaction } from '@ai-finance/database';
import { Outbox } from '@ai-finance/messaging';
import { SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import Decimal from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { ExecutionLatency } from '../execution/execution-latency';
import { TRADING_METRICS, type TradingMetrics } from '../metrics';
import { MarketDataClient } from '../upstream/market-data.client';
import { RiskClient } from '../upstream/risk.client';
import type { PlaceOrderDto } from './order.dto';
import { OrderFills } from './order-fills';
import { quantityText, type OrderStatus } from './order-view';
import { OrdersRepository } from './orders.repository';

/**
 * Places an order: price it from market-data, ask risk, then fill it now (market orders and limit
 * orders the quote already crosses), leave it open (other limit orders) or record risk's rejection.
 * Nothing is written until both upstream answers are in.
 */
@Injectable()
export class OrderPlacement {
  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly marketData: MarketDataClient,
    private readonly risk: RiskClient,
    private readonly fills: OrderFills,
    private readonly latency: ExecutionLatency,
    private readonly orders: OrdersRepository,
    @Inject(TRADING_METRICS) private readonly metrics: TradingMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  /** `secondsSinceArrival` reads the request's age, for the execution-duration histogram. */
  async place(userId: string, request: PlaceOrderDto, secondsSinceArrival: () => number): Promise<string> {
    const quote = await this.marketData.quote(request.symbol);
    const quotePrice = request.side === 'buy' ? quote.ask : quote.bid;
    const limit = request.limitPrice === undefined ? undefined : new Decimal(request.limitPrice);
    const executableNow = limit === undefined || (request.side === 'buy' ? limit.gte(quote.ask) : limit.lte(quote.bid));
    const checkedPrice = executableNow ? quotePrice : request.limitPrice!;

    const decision = await this.risk.check({ userId, symbol: request.symbol, side: request.side, quantity: request.quantity, price: checkedPrice });
    const orderId = randomUUID();
    const order = { orderId, userId, symbol: request.symbol, side: request.side, type: request.type, quantity: quantityText(request.quantity) };
    const event = (status: OrderStatus, occurredAt: Date, reason?: string): OrderEvent => ({
      ...order,
      ...(request.limitPrice === undefined ? {} : { limitPrice: new Decimal(request.limitPrice).toFixed(2) }),
      status,
      ...(reason === undefined ? {} : { reason }),
      occurredAt: occurredAt.toISOString(),
    });

    if (!decision.approved) {
      const now = new Date();
      await this.database.transaction('reject_order', async (tx) => {
        await this.orders.insert(tx, { ...order, limitPrice: request.limitPrice, status: 'rejected', reason: decision.reason, reasonMessage: decision.message, riskCheckId: decision.checkId, at: now });
        await this.outbox.enqueue(tx, EVENTS.orderRejected, event('rejected', now, decision.reason));
      });
      this.metrics.orders.inc({ type: request.type, side: request.side, status: 'rejected' });
      this.logger.info(
        { order_id: orderId, symbol: request.symbol, side: request.side, order_type: request.type, quantity: order.quantity, status: 'rejected', reason: decision.reason },
        `order rejected by risk: ${decision.message}`,
      );
      // 422 in the shared error shape, with the machine-readable reason and the recorded order's id.
      throw new UnprocessableEntityException({ message: decision.message, reason: decision.reason, orderId });
    }

    if (!executableNow) {
      const now = new Date();
      await this.database.transaction('place_open_order', async (tx) => {
        await this.orders.insert(tx, { ...order, limitPrice: request.limitPrice, status: 'open', riskCheckId: decision.checkId, at: now });
        await this.outbox.enqueue(tx, EVENTS.orderPlaced, event('open', now));
      });
      this.metrics.orders.inc({ type: request.type, side: request.side, status: 'open' });
      return orderId;
    }

    await this.latency.wait();
    await this.database.transaction('fill_new_order', async (tx: Transaction) => {
      const executedAt = new Date();
      await this.orders.insert(tx, {
        ...order,
        limitPrice: request.limitPrice,
        status: 'filled',
        filledQuantity: order.quantity,
        averagePrice: quotePrice,
        riskCheckId: decision.checkId,
        at: executedAt,
      });
      await this.fills.recordTrade(tx, order, quotePrice, executedAt);
    });
    this.metrics.executionDuration.observe(secondsSinceArrival());
    return orderId;
  }
}
