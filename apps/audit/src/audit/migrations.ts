import type { Migration } from '@ai-finance/database';
import { MESSAGING_MIGRATION } from '@ai-finance/messaging';
import { GENESIS_HASH } from './chain';

/**
 * The append-only, hash-chained audit log. Triggers refuse UPDATE, DELETE and TRUNCATE of
 * `audit_log`, and anything but a one-step advance of the single-row `audit_chain_head`, whose row
 * lock serialises appends across consumers and instances.
 */
export const AUDIT_LOG_MIGRATION: Migration = {
  id: '001_create_audit_log',
  sql: `
    CREATE TABLE IF NOT EXISTS audit_log (
      sequence bigint PRIMARY KEY CHECK (sequence >= 1),
      event_id text NOT NULL UNIQUE,
      event_type text NOT NULL,
      payload_canonical text NOT NULL,
      occurred_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL,
      prev_hash char(64) NOT NULL,
      hash char(64) NOT NULL
    );

    CREATE TABLE IF NOT EXISTS audit_chain_head (
      id smallint PRIMARY KEY CHECK (id = 1),
      last_sequence bigint NOT NULL,
      last_hash char(64) NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO audit_chain_head (id, last_sequence, last_hash) VALUES (1, 0, '${GENESIS_HASH}') ON CONFLICT (id) DO NOTHING;

    CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
    DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

    CREATE OR REPLACE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.last_sequence = OLD.last_sequence + 1 THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'audit_chain_head only advances one event at a time: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$;
    DROP TRIGGER IF EXISTS audit_chain_head_advance_only ON audit_chain_head;
    CREATE TRIGGER audit_chain_head_advance_only BEFORE UPDATE OR DELETE ON audit_chain_head
      FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard();
    DROP TRIGGER IF EXISTS audit_chain_head_no_truncate ON audit_chain_head;
    CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
  `,
};

export const AUDIT_MIGRATIONS: Migration[] = [MESSAGING_MIGRATION, AUDIT_LOG_MIGRATION];
