import { DatabaseModule } from '@ai-finance/database';
import { MessagingModule } from '@ai-finance/messaging';
import { ObservabilityModule, ServiceMetrics } from '@ai-finance/observability';
import { Module } from '@nestjs/common';
import { loadPortfolioConfig, PORTFOLIO_CONFIG } from './config';
import { declarePortfolioMetrics, PORTFOLIO_METRICS } from './metrics';
import { PORTFOLIO_MIGRATIONS } from './migrations';
import { MarketPrices } from './positions/market-prices';
import { PnlGauges } from './positions/pnl-gauges';
import { PortfolioConsumers } from './positions/portfolio-consumers';
import { PortfolioController } from './positions/portfolio.controller';
import { PortfolioValuation } from './positions/portfolio-valuation';
import { TradeLedger } from './positions/trade-ledger';

@Module({
  imports: [
    ObservabilityModule.forRoot({ serviceName: 'portfolio' }),
    DatabaseModule.forRoot({ schema: 'portfolio', migrations: PORTFOLIO_MIGRATIONS }),
    MessagingModule.forRoot({ connectionName: 'portfolio', transactional: true }),
  ],
  controllers: [PortfolioController],
  providers: [
    { provide: PORTFOLIO_CONFIG, useFactory: () => loadPortfolioConfig() },
    { provide: PORTFOLIO_METRICS, useFactory: declarePortfolioMetrics, inject: [ServiceMetrics] },
    TradeLedger,
    MarketPrices,
    PortfolioValuation,
    PnlGauges,
    PortfolioConsumers,
  ],
})
export class AppModule {}
