import { Database, DatabaseModule } from '@ai-finance/database';
import { MessagingModule, Outbox } from '@ai-finance/messaging';
import { ObservabilityModule, SERVICE_LOGGER, ServiceMetrics, type ServiceLogger } from '@ai-finance/observability';
import { Module } from '@nestjs/common';
import { loadPaymentConfig, PAYMENT_CONFIG, type PaymentConfig } from './config';
import { PaymentFaults } from './faults';
import { LedgerController } from './ledger/ledger.controller';
import { PaymentLedger } from './ledger/payment-ledger';
import { declarePaymentMetrics, PAYMENT_METRICS, type PaymentMetrics } from './metrics';
import { PAYMENT_MIGRATIONS } from './migrations';
import { IdempotencyKeys } from './payments/idempotency-keys';
import { PaymentProcessor } from './payments/payment-processor';
import { PaymentRecords } from './payments/payment-records';
import { PaymentsController } from './payments/payments.controller';
import { PaymentProviders } from './providers/payment-providers';

@Module({
  imports: [
    ObservabilityModule.forRoot({ serviceName: 'payment' }),
    DatabaseModule.forRoot({ schema: 'payment', migrations: PAYMENT_MIGRATIONS }),
    MessagingModule.forRoot({ connectionName: 'payment', transactional: true }),
  ],
  // LedgerController first: its static path /payments/ledger/balances is registered before /payments/:paymentId.
  controllers: [LedgerController, PaymentsController],
  providers: [
    { provide: PAYMENT_CONFIG, useFactory: () => loadPaymentConfig() },
    { provide: PAYMENT_METRICS, useFactory: declarePaymentMetrics, inject: [ServiceMetrics] },
    {
      provide: PaymentProviders,
      useFactory: (config: PaymentConfig, metrics: PaymentMetrics, logger: ServiceLogger) => new PaymentProviders(config, metrics, logger),
      inject: [PAYMENT_CONFIG, PAYMENT_METRICS, SERVICE_LOGGER],
    },
    PaymentFaults,
    { provide: IdempotencyKeys, useFactory: (database: Database) => new IdempotencyKeys(database), inject: [Database] },
    { provide: PaymentRecords, useFactory: (database: Database) => new PaymentRecords(database), inject: [Database] },
    { provide: PaymentLedger, useFactory: (database: Database) => new PaymentLedger(database), inject: [Database] },
    {
      provide: PaymentProcessor,
      useFactory: (
        config: PaymentConfig,
        database: Database,
        keys: IdempotencyKeys,
        records: PaymentRecords,
        ledger: PaymentLedger,
        providers: PaymentProviders,
        outbox: Outbox,
        metrics: PaymentMetrics,
        logger: ServiceLogger,
      ) => new PaymentProcessor(config, database, keys, records, ledger, providers, outbox, metrics, logger),
      inject: [PAYMENT_CONFIG, Database, IdempotencyKeys, PaymentRecords, PaymentLedger, PaymentProviders, Outbox, PAYMENT_METRICS, SERVICE_LOGGER],
    },
  ],
})
export class AppModule {}
