import type { Database, Transaction } from '@ai-finance/database';
import { randomUUID } from 'node:crypto';
import Decimal from 'decimal.js';

/** The two accounts a subscription payment moves money between (a bounded set, never per provider or user). */
export const LEDGER_ACCOUNTS = { cashAtProvider: 'cash_at_provider', subscriptionRevenue: 'subscription_revenue' } as const;

export interface AccountBalance {
  account: string;
  currency: string;
  debits: string;
  credits: string;
  /** debits minus credits */
  balance: string;
}

export interface CurrencyTotals {
  currency: string;
  debits: string;
  credits: string;
  balanced: boolean;
}

export interface LedgerBalances {
  accounts: AccountBalance[];
  currencies: CurrencyTotals[];
  /** True when debits equal credits in every currency. */
  balanced: boolean;
}

/**
 * Double-entry ledger: a succeeded payment is one entry debiting `cash_at_provider` and crediting
 * `subscription_revenue` by its amount. A deferred constraint trigger refuses, at commit, any entry
 * whose debits and credits differ; the tables are append-only.
 */
export class PaymentLedger {
  constructor(private readonly database: Database) {}

  async recordPayment(tx: Transaction, payment: { paymentId: string; amount: string; currency: string; plan: string; provider: string }): Promise<string> {
    const entryId = randomUUID();
    await tx.query('INSERT INTO ledger_entries (id, payment_id, description) VALUES ($1, $2, $3)', [
      entryId,
      payment.paymentId,
      `subscription payment (${payment.plan}) via ${payment.provider}`,
    ]);
    await tx.query(
      `INSERT INTO ledger_lines (entry_id, account, direction, amount, currency)
       VALUES ($1, $2, 'debit', $4, $5), ($1, $3, 'credit', $4, $5)`,
      [entryId, LEDGER_ACCOUNTS.cashAtProvider, LEDGER_ACCOUNTS.subscriptionRevenue, payment.amount, payment.currency],
    );
    return entryId;
  }

  async balances(): Promise<LedgerBalances> {
    const { rows } = await this.database.query<{ account: string; currency: string; debits: string; credits: string }>(
      'ledger_balances',
      `SELECT account, currency,
              coalesce(sum(amount) FILTER (WHERE direction = 'debit'), 0)::numeric(30,2)::text AS debits,
              coalesce(sum(amount) FILTER (WHERE direction = 'credit'), 0)::numeric(30,2)::text AS credits
         FROM ledger_lines GROUP BY account, currency ORDER BY currency, account`,
    );
    const accounts = rows.map((row) => ({ ...row, balance: new Decimal(row.debits).minus(row.credits).toFixed(2) }));
    const totals = new Map<string, { debits: Decimal; credits: Decimal }>();
    for (const row of rows) {
      const total = totals.get(row.currency) ?? { debits: new Decimal(0), credits: new Decimal(0) };
      totals.set(row.currency, { debits: total.debits.plus(row.debits), credits: total.credits.plus(row.credits) });
    }
    const currencies = [...totals].map(([currency, { debits, credits }]) => ({
      currency,
      debits: debits.toFixed(2),
      credits: credits.toFixed(2),
      balanced: debits.eq(credits),
    }));
    return { accounts, currencies, balanced: currencies.every((total) => total.balanced) };
  }
}
