import { Controller, Get, UseGuards } from '@nestjs/common';
import { OperatorGuard } from '@ai-finance/observability';
import { PaymentLedger, type LedgerBalances } from './payment-ledger';

@Controller('payments/ledger')
@UseGuards(OperatorGuard)
export class LedgerController {
  constructor(private readonly ledger: PaymentLedger) {}

  /** Sums per account and currency; in a healthy ledger debits equal credits in every currency. */
  @Get('balances')
  balances(): Promise<LedgerBalances> {
    return this.ledger.balances();
  }
}
