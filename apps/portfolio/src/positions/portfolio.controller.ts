import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';
import { CallerId } from '@ai-finance/observability';
import { SYMBOL_PATTERN } from './events';
import { PortfolioValuation, type PortfolioView, type PositionView } from './portfolio-valuation';

class SymbolParams {
  @Transform(({ value }) => (typeof value === 'string' ? value.toUpperCase() : value))
  @IsString()
  @Matches(SYMBOL_PATTERN, { message: 'symbol must be 1 to 12 letters, digits, dots or dashes, starting with a letter' })
  symbol!: string;
}

@Controller('portfolio')
export class PortfolioController {
  constructor(private readonly valuation: PortfolioValuation) {}

  @Get()
  portfolio(@CallerId() userId: string): Promise<PortfolioView> {
    return this.valuation.portfolio(userId);
  }

  @Get('positions/:symbol')
  async position(@CallerId() userId: string, @Param() { symbol }: SymbolParams): Promise<PositionView> {
    const position = await this.valuation.position(userId, symbol);
    if (!position) throw new NotFoundException(`No position in "${symbol}": this user has never traded it`);
    return position;
  }
}
