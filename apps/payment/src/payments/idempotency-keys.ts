import type { Database, Transaction } from '@ai-finance/database';
import { createHash } from 'node:crypto';

/** The response a request got, kept so that every repeat of it gets exactly the same. */
export interface StoredResponse {
  statusCode: number;
  /** The JSON body as sent, byte for byte. */
  body: string;
}

export interface Claim {
  userId: string;
  key: string;
  /** The payment this key creates; chosen at the first claim and kept by a take-over. */
  paymentId: string;
  /** Proves, when the result is written, that no one took the key over in between. */
  token: string;
}

export type KeyState =
  | { state: 'completed'; fingerprint: string; response: StoredResponse }
  | { state: 'in_progress'; fingerprint: string; paymentId: string; stale: boolean };

interface KeyRow {
  fingerprint: string;
  payment_id: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: string | null;
  stale: boolean;
}

/** sha256 of the request with its keys sorted, so that field order does not change the fingerprint. */
export function fingerprintOf(request: Record<string, string>): string {
  const canonical = JSON.stringify(Object.fromEntries(Object.entries(request).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The `idempotency_keys` table. Every method is one short statement: nothing here holds a pooled
 * connection while a provider is called or while a repeat waits.
 */
export class IdempotencyKeys {
  constructor(private readonly database: Database) {}

  /** True when this call created the row and so owns the key. */
  async claim(claim: Claim, fingerprint: string): Promise<boolean> {
    const { rowCount } = await this.database.query(
      'claim_idempotency_key',
      `INSERT INTO idempotency_keys (user_id, idempotency_key, fingerprint, payment_id, state, claim_token)
       VALUES ($1, $2, $3, $4, 'in_progress', $5)
       ON CONFLICT (user_id, idempotency_key) DO NOTHING`,
      [claim.userId, claim.key, fingerprint, claim.paymentId, claim.token],
    );
    return rowCount === 1;
  }

  async find(userId: string, key: string, staleSeconds: number): Promise<KeyState | undefined> {
    const { rows } = await this.database.query<KeyRow>(
      'find_idempotency_key',
      `SELECT fingerprint, payment_id, state, response_status, response_body,
              claimed_at < now() - make_interval(secs => $3) AS stale
         FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2`,
      [userId, key, staleSeconds],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.state === 'completed') return { state: 'completed', fingerprint: row.fingerprint, response: { statusCode: row.response_status!, body: row.response_body! } };
    return { state: 'in_progress', fingerprint: row.fingerprint, paymentId: row.payment_id, stale: row.stale };
  }

  /** Takes over a key whose owner has not finished within `staleSeconds`; true when this call got it. */
  async takeOver(claim: Claim, staleSeconds: number): Promise<boolean> {
    const { rowCount } = await this.database.query(
      'take_over_idempotency_key',
      `UPDATE idempotency_keys SET claim_token = $3, claimed_at = now()
        WHERE user_id = $1 AND idempotency_key = $2 AND state = 'in_progress'
          AND claimed_at < now() - make_interval(secs => $4)`,
      [claim.userId, claim.key, claim.token, staleSeconds],
    );
    return rowCount === 1;
  }

  /** Stores the response, inside the transaction that records the outcome; false when the claim was lost. */
  async complete(tx: Transaction, claim: Claim, response: StoredResponse): Promise<boolean> {
    const { rowCount } = await tx.query(
      `UPDATE idempotency_keys
          SET state = 'completed', response_status = $4, response_body = $5, completed_at = now()
        WHERE user_id = $1 AND idempotency_key = $2 AND claim_token = $3 AND state = 'in_progress'`,
      [claim.userId, claim.key, claim.token, response.statusCode, response.body],
    );
    return rowCount === 1;
  }

  /** Gives a key back after recording failed, so the client's retry can charge (idempotently) at once. */
  async release(claim: Claim): Promise<void> {
    await this.database.query(
      'release_idempotency_key',
      `DELETE FROM idempotency_keys WHERE user_id = $1 AND idempotency_key = $2 AND claim_token = $3 AND state = 'in_progress'`,
      [claim.userId, claim.key, claim.token],
    );
  }
}
