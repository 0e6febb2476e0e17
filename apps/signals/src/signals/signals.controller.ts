import { Controller, Get, Query } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { SYMBOL_PATTERN } from '../model/market-tick';
import { ACCURACY_WINDOWS, SignalHistory, type Accuracy, type AccuracyWindow, type SignalView } from './signal-history';

class ListSignalsQuery {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsString()
  @Matches(SYMBOL_PATTERN, { message: 'symbol must be 1 to 12 letters, digits, dots or dashes, starting with a letter' })
  symbol?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 100' })
  @Min(1, { message: 'limit must be a whole number from 1 to 100' })
  @Max(100, { message: 'limit must be a whole number from 1 to 100' })
  limit?: number;
}

class AccuracyQuery {
  @IsOptional()
  @IsIn(Object.keys(ACCURACY_WINDOWS), { message: `window must be one of ${Object.keys(ACCURACY_WINDOWS).join(', ')}` })
  window?: AccuracyWindow;
}

@Controller('signals')
export class SignalsController {
  constructor(private readonly history: SignalHistory) {}

  /** The latest signals, newest first. */
  @Get()
  async list(@Query() query: ListSignalsQuery): Promise<{ signals: SignalView[] }> {
    return { signals: await this.history.latest(query.symbol, query.limit ?? 20) };
  }

  @Get('accuracy')
  async accuracy(@Query() query: AccuracyQuery): Promise<Accuracy> {
    const [accuracy] = await this.history.accuracy([query.window ?? '24h']);
    return accuracy!;
  }
}
