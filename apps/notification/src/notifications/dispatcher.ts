import { EVENTS, type NotificationChannel, type NotificationOutcome } from '@ai-finance/contracts';
import type { Database } from '@ai-finance/database';
import type { Outbox } from '@ai-finance/messaging';
import { PollingLoop, type ServiceLogger } from '@ai-finance/observability';
import { NOT_CONFIGURED, type Channels } from '../channels/channels';
import { truncate, withTimeout, type Delivery } from '../channels/channel';
import type { NotificationConfig } from '../config';
import type { NotificationMetrics } from '../metrics';

interface ClaimedRow {
  id: string;
  user_id: string | null;
  channel: NotificationChannel;
  recipient: string | null;
  subject: string;
  body: string;
  attempts: number;
}

type Outcome = { status: 'sent' } | { status: 'failed' | 'retry' | 'skipped'; error: string };

/** Longest wait between two attempts. */
const MAX_BACKOFF_MS = 300_000;

/**
 * Delivers pending notifications. Each round claims due rows (FOR UPDATE SKIP LOCKED, so several
 * instances never take the same row) by moving their next_attempt_at past a lease, sends them
 * outside any transaction with a timeout, then records the outcome and its event
 * (notification.sent / notification.failed) in the outbox, in one transaction. A failed attempt is
 * retried with exponential back-off until NOTIFICATION_MAX_ATTEMPTS.
 */
export class Dispatcher {
  private readonly loop: PollingLoop;

  constructor(
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly channels: Channels,
    private readonly config: NotificationConfig,
    private readonly metrics: NotificationMetrics,
    private readonly logger: ServiceLogger,
  ) {
    this.loop = new PollingLoop(() => this.drain(), config.dispatchIntervalMs);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Delivers what was just queued instead of at the next poll. */
  readonly wake = (): void => this.loop.wake();

  private async drain(): Promise<void> {
    try {
      while (this.loop.running) {
        const claimed = await this.claim();
        await Promise.all(claimed.map((row) => this.deliver(row)));
        if (claimed.length < this.config.dispatchBatchSize) break;
      }
      const { rows } = await this.database.query<{ pending: string }>('count_pending_notifications', `SELECT count(*) AS pending FROM notifications WHERE status = 'pending'`);
      this.metrics.pending.set(Number(rows[0]?.pending ?? 0));
    } catch (error) {
      this.logger.warn({ error }, 'notification dispatcher round failed; pending notifications are retried at the next round');
    }
  }

  private async claim(): Promise<ClaimedRow[]> {
    // The lease outlasts one send; if this instance dies mid-send the row becomes due again after it.
    const leaseSeconds = (this.config.sendTimeoutMs * 2 + 5_000) / 1000;
    const { rows } = await this.database.query<ClaimedRow>(
      'claim_notifications',
      `UPDATE notifications SET next_attempt_at = now() + make_interval(secs => $2), updated_at = now()
       WHERE id IN (
         SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       RETURNING id, user_id, channel, recipient, subject, body, attempts`,
      [this.config.dispatchBatchSize, leaseSeconds],
    );
    return rows;
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const sender = this.channels.senderFor(row.channel);
    if (!sender) {
      await this.record(row, { status: 'skipped', error: NOT_CONFIGURED[row.channel] }, row.attempts, undefined);
      return;
    }
    const attempt = row.attempts + 1;
    const delivery: Delivery = { id: row.id, channel: row.channel, recipient: row.recipient, subject: row.subject, body: row.body };
    const started = performance.now();
    let outcome: Outcome;
    try {
      await withTimeout(sender.send(delivery), this.config.sendTimeoutMs, `${row.channel} provider`);
      outcome = { status: 'sent' };
    } catch (error) {
      const message = truncate(error instanceof Error ? error.message : String(error), 500);
      outcome = { status: attempt >= this.config.maxAttempts ? 'failed' : 'retry', error: message };
    }
    const seconds = (performance.now() - started) / 1000;
    this.metrics.deliveryDuration.observe({ channel: row.channel }, seconds);
    try {
      await this.record(row, outcome, attempt, seconds);
    } catch (error) {
      // The lease expires and the row is delivered again: at least once, never lost.
      this.logger.error({ log_type: 'error', error, notification_id: row.id }, 'could not record a notification outcome');
    }
  }

  private async record(row: ClaimedRow, outcome: Outcome, attempts: number, seconds: number | undefined): Promise<void> {
    const error = outcome.status === 'sent' ? null : outcome.error;
    const recorded = await this.database.transaction('record_notification_outcome', async (tx) => {
      if (outcome.status === 'retry') {
        const delayMs = Math.min(this.config.retryBaseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
        const { rowCount } = await tx.query(
          `UPDATE notifications SET attempts = $2, last_error = $3, next_attempt_at = now() + make_interval(secs => $4), updated_at = now()
           WHERE id = $1 AND status = 'pending'`,
          [row.id, attempts, error, delayMs / 1000],
        );
        return rowCount > 0 ? { delayMs } : undefined;
      }
      const { rowCount } = await tx.query(
        `UPDATE notifications SET status = $2, attempts = $3, last_error = $4, sent_at = CASE WHEN $2 = 'sent' THEN now() END, updated_at = now()
         WHERE id = $1 AND status = 'pending'`,
        [row.id, outcome.status, attempts, error],
      );
      if (rowCount === 0) return undefined; // another dispatcher finished it after this one's lease ran out
      if (outcome.status !== 'skipped') {
        const event: NotificationOutcome = {
          notificationId: row.id,
          channel: row.channel,
          recipient: row.recipient ?? 'slack-webhook',
          subject: row.subject,
          ...(row.user_id ? { userId: row.user_id } : {}),
          ...(error ? { error } : {}),
          occurredAt: new Date().toISOString(),
        };
        await this.outbox.enqueue(tx, outcome.status === 'sent' ? EVENTS.notificationSent : EVENTS.notificationFailed, event);
      }
      return {};
    });
    if (!recorded) return;

    const fields = {
      log_type: 'notification_delivery',
      channel: row.channel,
      status: outcome.status === 'retry' ? 'retrying' : outcome.status,
      notification_id: row.id,
      user_id: row.user_id ?? undefined,
      recipient: row.recipient ?? undefined,
      attempts,
      duration_seconds: seconds,
      last_error: error ?? undefined,
      retry_in_ms: recorded.delayMs,
    };
    if (outcome.status === 'retry') {
      this.logger.warn(fields, `${row.channel} delivery attempt ${attempts} failed; retrying in ${recorded.delayMs} ms`);
      return;
    }
    this.metrics.sent.inc({ channel: row.channel, status: outcome.status });
    if (outcome.status === 'failed') this.logger.error(fields, `${row.channel} notification failed after ${attempts} attempts`);
    else this.logger.info(fields, `${row.channel} notification ${outcome.status}`);
  }
}
