import type { Migration } from '@ai-finance/database';
import { MESSAGING_MIGRATION } from '@ai-finance/messaging';

/** user-management's tables, in the `user_management` schema (the connection's search_path). */
export const USER_MANAGEMENT_MIGRATIONS: Migration[] = [
  MESSAGING_MIGRATION,
  {
    id: '001_create_users',
    sql: `
      CREATE TABLE IF NOT EXISTS users (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        password_hash text NOT NULL,
        phone text,
        role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'operator')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- One account per address whatever its case; the application stores it lower-cased too.
      CREATE UNIQUE INDEX IF NOT EXISTS users_email_lower_key ON users (lower(email));
    `,
  },
  {
    id: '002_create_sessions',
    sql: `
      CREATE TABLE IF NOT EXISTS sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id),
        -- sha256 (hex) of the current refresh token; the token itself is never stored.
        refresh_token_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        ended_at timestamptz,
        end_reason text CHECK (end_reason IN ('logout', 'refresh_token_reuse'))
      );
      CREATE UNIQUE INDEX IF NOT EXISTS sessions_refresh_token_hash_key ON sessions (refresh_token_hash);
      CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions (user_id);
      -- Refresh tokens already exchanged: presenting one again is reuse and revokes its session.
      CREATE TABLE IF NOT EXISTS rotated_refresh_tokens (
        token_hash text PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        rotated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS rotated_refresh_tokens_session_id ON rotated_refresh_tokens (session_id);
    `,
  },
  {
    id: '003_create_account_locks',
    sql: `
      CREATE TABLE IF NOT EXISTS account_locks (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id),
        locked_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz NOT NULL,
        failed_attempts integer NOT NULL,
        ip_address text NOT NULL
      );
      CREATE INDEX IF NOT EXISTS account_locks_user_id_locked_until ON account_locks (user_id, locked_until DESC);
    `,
  },
];
