import type { Migration } from '@ai-finance/database';
import { MESSAGING_MIGRATION } from '@ai-finance/messaging';

export const NOTIFICATIONS_MIGRATION: Migration = {
  id: '001_create_recipients_and_notifications',
  sql: `
    CREATE TABLE IF NOT EXISTS recipients (
      user_id uuid PRIMARY KEY,
      email text NOT NULL,
      phone text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE IF NOT EXISTS notifications (
      id uuid PRIMARY KEY,
      user_id uuid,
      channel text NOT NULL CHECK (channel IN ('slack', 'email', 'sms')),
      recipient text,
      subject text NOT NULL,
      body text NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      source_event_id text,
      created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      sent_at timestamptz,
      -- When the dispatcher may (re)try: now for new rows, after the back-off for retries, and
      -- after a lease while one dispatcher is sending it (so a crashed one's row is retried).
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX IF NOT EXISTS notifications_by_user ON notifications (user_id, created_at DESC);
  `,
};

export const NOTIFICATION_MIGRATIONS: Migration[] = [MESSAGING_MIGRATION, NOTIFICATIONS_MIGRATION];
