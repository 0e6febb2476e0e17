import type { Migration } from '@ai-finance/database';
import { MESSAGING_MIGRATION } from '@ai-finance/messaging';

/** payment's schema: payments, the idempotency keys that guard their creation, and the double-entry ledger. */
export const PAYMENT_MIGRATIONS: Migration[] = [
  MESSAGING_MIGRATION,
  {
    id: '001_create_payments_and_idempotency_keys',
    sql: `
      CREATE TABLE IF NOT EXISTS payments (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        idempotency_key text NOT NULL,
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        currency text NOT NULL,
        method text NOT NULL CHECK (method IN ('card', 'bank_transfer', 'wallet')),
        plan text NOT NULL CHECK (plan IN ('basic', 'pro', 'enterprise')),
        status text NOT NULL CHECK (status IN ('succeeded', 'failed', 'declined')),
        provider text,
        provider_reference text,
        failure_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, idempotency_key),
        CHECK ((status = 'succeeded') = (provider_reference IS NOT NULL))
      );
      CREATE INDEX IF NOT EXISTS payments_user_newest ON payments (user_id, created_at DESC, id DESC);

      -- One row per (user, Idempotency-Key): claimed 'in_progress' by the request that charges, then
      -- 'completed' with the exact response every repeat of that request gets.
      CREATE TABLE IF NOT EXISTS idempotency_keys (
        user_id uuid NOT NULL,
        idempotency_key text NOT NULL,
        fingerprint text NOT NULL,
        payment_id uuid NOT NULL,
        state text NOT NULL CHECK (state IN ('in_progress', 'completed')),
        claim_token uuid NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now(),
        response_status integer,
        response_body text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (user_id, idempotency_key),
        CHECK ((state = 'completed') = (response_status IS NOT NULL AND response_body IS NOT NULL AND completed_at IS NOT NULL))
      );
    `,
  },
  {
    id: '002_create_ledger',
    sql: `
      CREATE TABLE IF NOT EXISTS ledger_entries (
        id uuid PRIMARY KEY,
        payment_id uuid NOT NULL UNIQUE REFERENCES payments (id),
        description text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS ledger_lines (
        id bigserial PRIMARY KEY,
        entry_id uuid NOT NULL REFERENCES ledger_entries (id),
        account text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('debit', 'credit')),
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        currency text NOT NULL
      );
      CREATE INDEX IF NOT EXISTS ledger_lines_entry ON ledger_lines (entry_id);

      -- Double entry, enforced at commit: each entry's debits equal its credits in every currency.
      CREATE OR REPLACE FUNCTION ledger_entry_must_balance() RETURNS trigger
      LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      DECLARE
        unbalanced record;
      BEGIN
        SELECT currency INTO unbalanced
          FROM ledger_lines
         WHERE entry_id = NEW.entry_id
         GROUP BY currency
        HAVING sum(CASE WHEN direction = 'debit' THEN amount ELSE -amount END) <> 0
         LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'ledger entry % does not balance in %', NEW.entry_id, unbalanced.currency USING ERRCODE = '23514';
        END IF;
        RETURN NULL;
      END
      $$;
      DROP TRIGGER IF EXISTS ledger_lines_balanced ON ledger_lines;
      CREATE CONSTRAINT TRIGGER ledger_lines_balanced AFTER INSERT ON ledger_lines
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_must_balance();

      -- The ledger is append-only: a correction is a new entry, never an edit.
      CREATE OR REPLACE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the ledger is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME USING ERRCODE = '42501';
      END
      $$;
      DROP TRIGGER IF EXISTS ledger_entries_append_only ON ledger_entries;
      CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();
      DROP TRIGGER IF EXISTS ledger_lines_append_only ON ledger_lines;
      CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();
    `,
  },
];
