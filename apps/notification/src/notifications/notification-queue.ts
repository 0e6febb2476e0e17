import type { NotificationChannel } from '@ai-finance/contracts';
import type { Database, Transaction } from '@ai-finance/database';
import type { ServiceLogger } from '@ai-finance/observability';
import { randomUUID } from 'node:crypto';
import type { NotificationMetrics } from '../metrics';

export interface NewNotification {
  userId?: string | null;
  channel: NotificationChannel;
  recipient: string | null;
  subject: string;
  body: string;
  sourceEventId?: string | null;
}

export interface NotificationView {
  id: string;
  channel: NotificationChannel;
  recipient: string | null;
  subject: string;
  body: string;
  status: 'pending' | 'sent' | 'failed' | 'skipped';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

interface NotificationRow {
  id: string;
  channel: NotificationChannel;
  recipient: string | null;
  subject: string;
  body: string;
  status: NotificationView['status'];
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

/**
 * Writes notifications to deliver as `pending` rows in the caller's transaction; delivery happens
 * later, in the dispatcher, which `wake` nudges once the transaction has committed.
 */
export class NotificationQueue {
  constructor(
    private readonly database: Database,
    private readonly metrics: NotificationMetrics,
    private readonly logger: ServiceLogger,
    private readonly wake: () => void,
  ) {}

  async enqueue(tx: Transaction, notification: NewNotification): Promise<string> {
    const id = randomUUID();
    await tx.query(
      `INSERT INTO notifications (id, user_id, channel, recipient, subject, body, status, source_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)`,
      [id, notification.userId ?? null, notification.channel, notification.recipient, notification.subject, notification.body, notification.sourceEventId ?? null],
    );
    tx.afterCommit(this.wake);
    return id;
  }

  /** Records a notification that cannot be sent at all (e.g. nobody to send it to), with the reason. */
  async recordSkipped(tx: Transaction, notification: NewNotification, reason: string): Promise<string> {
    const id = randomUUID();
    await tx.query(
      `INSERT INTO notifications (id, user_id, channel, recipient, subject, body, status, last_error, source_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, 'skipped', $7, $8)`,
      [id, notification.userId ?? null, notification.channel, notification.recipient, notification.subject, notification.body, reason, notification.sourceEventId ?? null],
    );
    tx.afterCommit(() => {
      this.metrics.sent.inc({ channel: notification.channel, status: 'skipped' });
      this.logger.info(
        {
          log_type: 'notification_delivery',
          channel: notification.channel,
          status: 'skipped',
          notification_id: id,
          user_id: notification.userId ?? undefined,
          recipient: notification.recipient ?? undefined,
          reason,
        },
        `notification skipped: ${reason}`,
      );
    });
    return id;
  }

  /** Enqueues several notifications in one new transaction. */
  async enqueueAll(operation: string, notifications: NewNotification[]): Promise<string[]> {
    if (notifications.length === 0) return [];
    return this.database.transaction(operation, async (tx) => {
      const ids: string[] = [];
      for (const notification of notifications) ids.push(await this.enqueue(tx, notification));
      return ids;
    });
  }

  async listForUser(userId: string, limit: number): Promise<NotificationView[]> {
    const { rows } = await this.database.query<NotificationRow>(
      'list_user_notifications',
      `SELECT id, channel, recipient, subject, body, status, attempts, last_error, created_at, sent_at
       FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      channel: row.channel,
      recipient: row.recipient,
      subject: row.subject,
      body: row.body,
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
      sentAt: row.sent_at ? row.sent_at.toISOString() : null,
    }));
  }
}
