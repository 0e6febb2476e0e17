import { Body, Controller, Get, NotFoundException, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CallerGuard, CallerId } from '@ai-finance/observability';
import { PaymentProcessor } from './payment-processor';
import { PaymentRecords, type PaymentView } from './payment-records';
import { CreatePaymentRequest, IdempotencyKeyHeader, IdempotencyKeyPipe, ListPaymentsQuery, PaymentIdParams } from './payment-request';

/** Header on a response that is the stored response of an earlier request with the same Idempotency-Key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

@Controller('payments')
@UseGuards(CallerGuard)
export class PaymentsController {
  constructor(
    private readonly processor: PaymentProcessor,
    private readonly records: PaymentRecords,
  ) {}

  /** Charges a subscription payment once per Idempotency-Key; repeats get the first response back. */
  @Post()
  async create(
    @CallerId() userId: string,
    @IdempotencyKeyHeader(IdempotencyKeyPipe) idempotencyKey: string,
    @Body() request: CreatePaymentRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { response, replayed } = await this.processor.submit(userId, idempotencyKey, request);
    if (replayed) void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    // The stored JSON is sent byte for byte, so a replay is identical to the first response.
    await reply.status(response.statusCode).header('content-type', 'application/json; charset=utf-8').send(response.body);
  }

  @Get()
  async list(@CallerId() userId: string, @Query() query: ListPaymentsQuery): Promise<{ payments: PaymentView[] }> {
    return { payments: await this.records.listForUser(userId, query.limit ?? 20) };
  }

  @Get(':paymentId')
  async get(@CallerId() userId: string, @Param() { paymentId }: PaymentIdParams): Promise<PaymentView> {
    const payment = await this.records.findForUser(userId, paymentId.toLowerCase());
    // Someone else's payment is "not found" too: its existence is not the caller's business.
    if (!payment) throw new NotFoundException(`payment ${paymentId} not found`);
    return payment;
  }
}
