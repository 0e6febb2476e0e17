import { Controller, Get, UseGuards } from '@nestjs/common';
import { CallerGuard, OperatorGuard } from '../http/caller';
import { PaymentLedger, type LedgerBalances } from './payment-ledger';

@Controller('payments/ledger')
@UseGuards(CallerGuard, OperatorGuard)
export class LedgerController {
  constructor(private readonly ledger: PaymentLedger) {}

  /** Sums per account and currency; in a healthy ledger debits equal credits in every currency. */
  @Get('balances')
  balances(): Promise<LedgerBalances> {
    return this.ledger.balances();
  }
}
