import { DatabaseModule } from '@ai-finance/database';
import { MessagingModule } from '@ai-finance/messaging';
import { ObservabilityModule, ServiceMetrics } from '@ai-finance/observability';
import { Module } from '@nestjs/common';
import { loadSignalsConfig, SIGNALS_CONFIG } from './config';
import { SignalsFaults } from './faults';
import { declareSignalsMetrics, SIGNALS_METRICS } from './metrics';
import { SIGNALS_MIGRATIONS } from './migrations';
import { ModelDegradation } from './model/model-degradation';
import { SignalEngine } from './model/signal-engine';
import { TickConsumer } from './model/tick-consumer';
import { AccuracyGauge } from './signals/accuracy-gauge';
import { SignalHistory } from './signals/signal-history';
import { SignalsController } from './signals/signals.controller';

@Module({
  imports: [
    ObservabilityModule.forRoot({ serviceName: 'signals' }),
    DatabaseModule.forRoot({ schema: 'signals', migrations: SIGNALS_MIGRATIONS }),
    MessagingModule.forRoot({ connectionName: 'signals', transactional: true }),
  ],
  controllers: [SignalsController],
  providers: [
    { provide: SIGNALS_CONFIG, useFactory: () => loadSignalsConfig() },
    { provide: SIGNALS_METRICS, useFactory: declareSignalsMetrics, inject: [ServiceMetrics] },
    ModelDegradation,
    SignalsFaults,
    SignalEngine,
    SignalHistory,
    AccuracyGauge,
    TickConsumer,
  ],
  exports: [ModelDegradation],
})
export class AppModule {}
