import { Controller, Get, Inject } from '@nestjs/common';
import { RISK_CONFIG, type RiskConfig } from '../config';
import { CallerId } from '@ai-finance/observability';
import { RiskState } from './risk-state';

export interface LimitsView {
  maxOrderNotional: string;
  maxExposure: string;
  initialBuyingPower: string;
  buyingPower: string;
  exposure: string;
  positions: Array<{ symbol: string; quantity: string }>;
}

@Controller('limits')
export class LimitsController {
  constructor(
    private readonly state: RiskState,
    @Inject(RISK_CONFIG) private readonly config: RiskConfig,
  ) {}

  /** The caller's limits and where they stand against them. */
  @Get()
  async limits(@CallerId() userId: string): Promise<LimitsView> {
    const snapshot = await this.state.snapshot(userId);
    return {
      maxOrderNotional: this.config.maxOrderNotional.toFixed(2),
      maxExposure: this.config.maxExposure.toFixed(2),
      initialBuyingPower: this.config.initialBuyingPower.toFixed(2),
      buyingPower: snapshot.buyingPower.toFixed(2),
      exposure: snapshot.exposure.toFixed(2),
      positions: snapshot.positions.map((position) => ({ symbol: position.symbol, quantity: position.quantity.toFixed() })),
    };
  }
}
