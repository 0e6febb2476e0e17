import { IsPositiveDecimal, MONEY_PATTERN, QUANTITY_PATTERN } from '@ai-finance/contracts';
import { Transform } from 'class-transformer';
import { IsIn, IsString, IsUUID, Matches } from 'class-validator';

export class CheckRequestDto {
  @IsUUID('all', { message: 'userId must be a UUID' })
  userId!: string;

  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsString()
  @Matches(/^[A-Z][A-Z0-9.-]{0,11}$/, { message: 'symbol must be 1 to 12 letters, digits, dots or dashes, starting with a letter' })
  symbol!: string;

  @IsIn(['buy', 'sell'], { message: 'side must be "buy" or "sell"' })
  side!: 'buy' | 'sell';

  @IsPositiveDecimal(QUANTITY_PATTERN, 'at most 12 integer digits and 8 decimals, e.g. "10" or "0.25"')
  quantity!: string;

  @IsPositiveDecimal(MONEY_PATTERN, 'at most two decimals, e.g. "189.50"')
  price!: string;
}
