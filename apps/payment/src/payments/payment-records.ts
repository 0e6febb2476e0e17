import type { Currency, PaymentMethod } from '@ai-finance/contracts';
import type { Database, Transaction } from '@ai-finance/database';
import type { Plan } from './payment-request';

export type PaymentStatus = 'succeeded' | 'failed' | 'declined';

/** A payment as the API shows it. Money is a decimal string. */
export interface PaymentView {
  paymentId: string;
  status: PaymentStatus;
  amount: string;
  currency: Currency;
  method: PaymentMethod;
  plan: Plan;
  /** The provider that answered; null when none did. */
  provider: string | null;
  createdAt: string;
  /** Why a payment did not succeed: `declined` or `providers_unavailable`. */
  failureReason?: string;
}

export interface NewPayment {
  paymentId: string;
  userId: string;
  idempotencyKey: string;
  amount: string;
  currency: Currency;
  method: PaymentMethod;
  plan: Plan;
  status: PaymentStatus;
  provider: string | null;
  providerReference: string | null;
  failureReason: string | null;
}

interface PaymentRow {
  id: string;
  status: PaymentStatus;
  amount: string;
  currency: Currency;
  method: PaymentMethod;
  plan: Plan;
  provider: string | null;
  failure_reason: string | null;
  created_at: Date;
}

const COLUMNS = 'id, status, amount::text AS amount, currency, method, plan, provider, failure_reason, created_at';

function toView(row: PaymentRow): PaymentView {
  return {
    paymentId: row.id,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    method: row.method,
    plan: row.plan,
    provider: row.provider,
    createdAt: row.created_at.toISOString(),
    ...(row.failure_reason ? { failureReason: row.failure_reason } : {}),
  };
}

/** The `payments` table. */
export class PaymentRecords {
  constructor(private readonly database: Database) {}

  async insert(tx: Transaction, payment: NewPayment): Promise<PaymentView> {
    const { rows } = await tx.query<PaymentRow>(
      `INSERT INTO payments (id, user_id, idempotency_key, amount, currency, method, plan, status, provider, provider_reference, failure_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       RETURNING ${COLUMNS}`,
      [
        payment.paymentId,
        payment.userId,
        payment.idempotencyKey,
        payment.amount,
        payment.currency,
        payment.method,
        payment.plan,
        payment.status,
        payment.provider,
        payment.providerReference,
        payment.failureReason,
      ],
    );
    return toView(rows[0]!);
  }

  /** The user's payments, newest first. */
  async listForUser(userId: string, limit: number): Promise<PaymentView[]> {
    const { rows } = await this.database.query<PaymentRow>(
      'list_payments',
      `SELECT ${COLUMNS} FROM payments WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map(toView);
  }

  /** The payment when it exists and belongs to `userId`. */
  async findForUser(userId: string, paymentId: string): Promise<PaymentView | undefined> {
    const { rows } = await this.database.query<PaymentRow>('get_payment', `SELECT ${COLUMNS} FROM payments WHERE id = $1 AND user_id = $2`, [paymentId, userId]);
    return rows[0] ? toView(rows[0]) : undefined;
  }
}
