import { IsPositiveDecimal, MONEY_PATTERN, QUANTITY_PATTERN } from '@ai-finance/contracts';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy, ValidateIf } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from './order-view';

export const SYMBOL_PATTERN = /^[A-Z][A-Z0-9.-]{0,11}$/;

export class PlaceOrderDto {
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsString({ message: 'symbol must be a string' })
  @Matches(SYMBOL_PATTERN, { message: 'symbol must be 1 to 12 letters, digits, dots or dashes, starting with a letter' })
  symbol!: string;

  @IsIn(['buy', 'sell'], { message: 'side must be "buy" or "sell"' })
  side!: 'buy' | 'sell';

  @IsIn(['market', 'limit'], { message: 'type must be "market" or "limit"' })
  type!: 'market' | 'limit';

  @IsPositiveDecimal(QUANTITY_PATTERN, 'at most 12 integer digits and 8 decimals, e.g. "10" or "0.25"')
  quantity!: string;

  /** Required for a limit order; a market order must not carry one (it would be silently ignored). */
  @ValidateIf((order: PlaceOrderDto) => order.type === 'limit' || order.limitPrice !== undefined)
  @ValidateBy({
    name: 'absentForMarketOrders',
    validator: {
      validate: (_value: unknown, args) => (args?.object as PlaceOrderDto).type !== 'market',
      defaultMessage: () => 'limitPrice must not be given for a market order',
    },
  })
  @IsPositiveDecimal(MONEY_PATTERN, 'at most two decimals, e.g. "189.50"; it is required for a limit order')
  limitPrice?: string;
}

export class ListOrdersQuery {
  @IsOptional()
  @IsIn(ORDER_STATUSES, { message: `status must be one of ${ORDER_STATUSES.join(', ')}` })
  status?: OrderStatus;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 100' })
  @Min(1, { message: 'limit must be an integer from 1 to 100' })
  @Max(100, { message: 'limit must be an integer from 1 to 100' })
  limit?: number;
}

export class ListTradesQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer from 1 to 100' })
  @Min(1, { message: 'limit must be an integer from 1 to 100' })
  @Max(100, { message: 'limit must be an integer from 1 to 100' })
  limit?: number;
}
