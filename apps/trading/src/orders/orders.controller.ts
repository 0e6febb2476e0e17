import { BadRequestException, Body, Controller, Delete, Get, NotFoundException, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CallerId } from '@ai-finance/observability';
import { ListOrdersQuery, ListTradesQuery, PlaceOrderDto } from './order.dto';
import { OrderCancellation } from './order-cancellation';
import { OrderPlacement } from './order-placement';
import { orderView, tradeView, type OrderView } from './order-view';
import { OrdersRepository } from './orders.repository';

const DEFAULT_PAGE = 50;
const orderIdPipe = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('orderId must be a UUID') });

@Controller()
export class OrdersController {
  constructor(
    private readonly placement: OrderPlacement,
    private readonly cancellation: OrderCancellation,
    private readonly orders: OrdersRepository,
  ) {}

  /** 201 with the order (filled or open); 422 when risk rejects it; 400 for bad input or an unknown symbol; 503 when market-data or risk is unavailable. */
  @Post('orders')
  async place(@CallerId() userId: string, @Body() request: PlaceOrderDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<OrderView> {
    // Fastify's reply clock starts when the request arrives (onRequest), before body parsing and validation.
    const arrivedAt = performance.now() - reply.elapsedTime;
    const orderId = await this.placement.place(userId, request, () => (performance.now() - arrivedAt) / 1000);
    return this.ownOrder(userId, orderId);
  }

  @Get('orders')
  async list(@CallerId() userId: string, @Query() query: ListOrdersQuery): Promise<{ orders: OrderView[] }> {
    const rows = await this.orders.listOwn(userId, query.status, query.limit ?? DEFAULT_PAGE);
    return { orders: rows.map(orderView) };
  }

  @Get('orders/:orderId')
  get(@CallerId() userId: string, @Param('orderId', orderIdPipe) orderId: string): Promise<OrderView> {
    return this.ownOrder(userId, orderId);
  }

  @Delete('orders/:orderId')
  cancel(@CallerId() userId: string, @Param('orderId', orderIdPipe) orderId: string): Promise<OrderView> {
    return this.cancellation.cancel(userId, orderId);
  }

  @Get('trades')
  async trades(@CallerId() userId: string, @Query() query: ListTradesQuery) {
    const rows = await this.orders.listOwnTrades(userId, query.limit ?? DEFAULT_PAGE);
    return { trades: rows.map(tradeView) };
  }

  /** Another user's order is answered exactly like a missing one. */
  private async ownOrder(userId: string, orderId: string): Promise<OrderView> {
    const row = await this.orders.findOwn(userId, orderId);
    if (!row) throw new NotFoundException(`order ${orderId} not found`);
    return orderView(row);
  }
}

