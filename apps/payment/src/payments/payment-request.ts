import { CURRENCIES, IDEMPOTENCY_KEY_HEADER, MONEY_PATTERN, type Currency, type PaymentMethod } from '@ai-finance/contracts';
import { BadRequestException, createParamDecorator, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import Decimal from 'decimal.js';

export const PAYMENT_METHODS = ['card', 'bank_transfer', 'wallet'] as const satisfies readonly PaymentMethod[];
export const PLANS = ['basic', 'pro', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

/** Largest single payment the service accepts. */
export const MAX_PAYMENT_AMOUNT = '1000000.00';

/** A money string must be > 0 and at most `max`; anything not a money string is left to @Matches to report. */
function IsAmountWithin(max: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAmountWithin',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !MONEY_PATTERN.test(value) || (new Decimal(value).gt(0) && new Decimal(value).lte(max)),
        defaultMessage: () => `amount must be greater than 0 and at most ${max}`,
      },
    },
    options,
  );
}

export class CreatePaymentRequest {
  @IsString({ message: 'amount must be a decimal string such as "49.99", not a number' })
  @Matches(MONEY_PATTERN, { message: 'amount must be a decimal string with at most two decimals, such as "49.99"' })
  @IsAmountWithin(MAX_PAYMENT_AMOUNT)
  amount!: string;

  @IsIn(CURRENCIES, { message: `currency must be one of ${CURRENCIES.join(', ')}` })
  currency!: Currency;

  @IsIn(PAYMENT_METHODS, { message: `method must be one of ${PAYMENT_METHODS.join(', ')}` })
  method!: PaymentMethod;

  @IsIn(PLANS, { message: `plan must be one of ${PLANS.join(', ')}` })
  plan!: Plan;
}

export class ListPaymentsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 100' })
  @Min(1, { message: 'limit must be a whole number from 1 to 100' })
  @Max(100, { message: 'limit must be a whole number from 1 to 100' })
  limit?: number;
}

export class PaymentIdParams {
  @IsUUID('all', { message: 'paymentId must be a UUID' })
  paymentId!: string;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The `Idempotency-Key` header: required, 8 to 128 of A-Z a-z 0-9 _ . : - */
export class IdempotencyKeyPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (value === undefined || value === '') {
      throw new BadRequestException(`the Idempotency-Key header is required: 8 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-"`);
    }
    if (typeof value !== 'string' || !IDEMPOTENCY_KEY.test(value)) {
      throw new BadRequestException(`the Idempotency-Key header must be 8 to 128 characters of A-Z, a-z, 0-9, "_", ".", ":" or "-"`);
    }
    return value;
  }
}

/** The raw `Idempotency-Key` header; validate it with IdempotencyKeyPipe. */
export const IdempotencyKeyHeader = createParamDecorator(
  (_: unknown, context: ExecutionContext): unknown => context.switchToHttp().getRequest<FastifyRequest>().headers[IDEMPOTENCY_KEY_HEADER],
);
