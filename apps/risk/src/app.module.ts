import { DatabaseModule } from '@ai-finance/database';
import { MessagingModule } from '@ai-finance/messaging';
import { ObservabilityModule, ServiceMetrics } from '@ai-finance/observability';
import { Module } from '@nestjs/common';
import { RiskChecksController } from './checks/risk-checks.controller';
import { RiskChecks } from './checks/risk-checks.service';
import { loadRiskConfig, RISK_CONFIG } from './config';
import { declareRiskMetrics, RISK_METRICS } from './metrics';
import { RISK_MIGRATIONS } from './migrations';
import { LimitsController } from './positions/limits.controller';
import { RiskState } from './positions/risk-state';
import { TradeConsumer } from './positions/trade-consumer';

@Module({
  imports: [
    ObservabilityModule.forRoot({ serviceName: 'risk' }),
    DatabaseModule.forRoot({ schema: 'risk', migrations: RISK_MIGRATIONS }),
    MessagingModule.forRoot({ connectionName: 'risk', transactional: true }),
  ],
  controllers: [RiskChecksController, LimitsController],
  providers: [
    { provide: RISK_CONFIG, useFactory: () => loadRiskConfig() },
    { provide: RISK_METRICS, useFactory: declareRiskMetrics, inject: [ServiceMetrics] },
    RiskState,
    RiskChecks,
    TradeConsumer,
  ],
})
export class AppModule {}
