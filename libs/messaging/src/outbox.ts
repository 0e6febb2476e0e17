import type { Database, Migration, Transaction } from '@ai-finance/database';
import { PollingLoop, injectTraceHeaders, type ServiceLogger, type ServiceMetrics } from '@ai-finance/observability';
import { randomUUID } from 'node:crypto';
import { OutageLog } from './outage-log';
import type { RabbitBroker } from './rabbitmq-broker';
import { isTransientFailure } from './transient-failure';

/** Tables every service that publishes or consumes business events needs in its schema. */
export const MESSAGING_MIGRATION: Migration = {
  id: '000_messaging_outbox_and_processed_messages',
  sql: `
    CREATE TABLE IF NOT EXISTS outbox (
      id uuid PRIMARY KEY,
      routing_key text NOT NULL,
      payload jsonb NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS outbox_created_at ON outbox (created_at);
    CREATE TABLE IF NOT EXISTS processed_messages (
      queue text NOT NULL,
      message_id text NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (queue, message_id)
    );
    CREATE INDEX IF NOT EXISTS processed_messages_processed_at ON processed_messages (processed_at);
  `,
};

export interface OutboxOptions {
  pollIntervalMs?: number;
  batchSize?: number;
}

interface OutboxRow {
  id: string;
  routing_key: string;
  payload: unknown;
  headers: Record<string, unknown>;
}

/**
 * Transactional outbox: an event is written in the same transaction as the business row, so both
 * exist or neither does; a relay then publishes it with confirms and deletes it. If RabbitMQ is away
 * the events wait in PostgreSQL, and the message id (the outbox row's id) lets consumers drop repeats.
 */
export class Outbox {
  private readonly loop: PollingLoop;
  private readonly pending;
  private readonly oldestAge;
  private readonly outages: OutageLog;

  constructor(
    private readonly database: Database,
    private readonly broker: RabbitBroker,
    metrics: ServiceMetrics,
    private readonly logger: ServiceLogger,
    private readonly options: OutboxOptions = {},
  ) {
    this.loop = new PollingLoop(() => this.drain(), options.pollIntervalMs ?? 500);
    this.outages = new OutageLog(logger);
    this.pending = metrics.gauge({ name: 'outbox_pending_messages', help: 'Events written to the outbox and not yet confirmed by RabbitMQ.' });
    this.oldestAge = metrics.gauge({
      name: 'outbox_oldest_message_age_seconds',
      help: 'Age of the oldest event still waiting in the outbox; grows while RabbitMQ is unreachable.',
    });
  }

  /** Writes an event inside `tx`; it is published after the transaction commits. Returns its message id. */
  async enqueue(tx: Transaction, routingKey: string, payload: unknown, messageId: string = randomUUID()): Promise<string> {
    await tx.query('INSERT INTO outbox (id, routing_key, payload, headers) VALUES ($1, $2, $3, $4)', [
      messageId,
      routingKey,
      JSON.stringify(payload),
      JSON.stringify(injectTraceHeaders({})),
    ]);
    tx.afterCommit(this.loop.wake);
    return messageId;
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for a publication under way. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async drain(): Promise<void> {
    try {
      await this.publishPending();
      this.outages.recovered('outbox', {}, 'PostgreSQL is back; the outbox relay resumed');
    } catch (error) {
      // Every poll fails alike while PostgreSQL is down: one line per outage, not one per poll.
      if (isTransientFailure(error)) this.outages.failed('outbox', { error }, 'PostgreSQL is unavailable; the outbox relay waits for it');
      else this.logger.warn({ error }, 'outbox relay could not publish; events stay in the outbox and are retried');
    }
  }

  private async publishPending(): Promise<void> {
    const batchSize = this.options.batchSize ?? 100;
    let drained = false;
    while (this.loop.running && this.broker.isConnected()) {
      const published = await this.publishBatch(batchSize);
      if (published < batchSize) {
        drained = true;
        break;
      }
    }
    if (drained) {
      // Everything committed until now is out: no need to count what is left on every poll.
      this.pending.set(0);
      this.oldestAge.set(0);
      return;
    }
    const { rows } = await this.database.query<{ pending: string; oldest_age: number | null }>(
      'outbox_backlog',
      'SELECT count(*) AS pending, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest_age FROM outbox',
    );
    this.pending.set(Number(rows[0]?.pending ?? 0));
    this.oldestAge.set(rows[0]?.oldest_age ?? 0);
  }

  private publishBatch(batchSize: number): Promise<number> {
    return this.database.transaction('outbox_publish', async (tx) => {
      // SKIP LOCKED: several instances of a service share the outbox without publishing a row twice.
      const { rows } = await tx.query<OutboxRow>(
        'SELECT id, routing_key, payload, headers FROM outbox ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED',
        [batchSize],
      );
      if (rows.length === 0) return 0;
      const confirmed = await this.broker.publishAll(
        rows.map((row) => ({ routingKey: row.routing_key, payload: row.payload, messageId: row.id, headers: row.headers })),
      );
      if (!confirmed) throw new Error('RabbitMQ did not confirm the batch');
      await tx.query('DELETE FROM outbox WHERE id = ANY($1::uuid[])', [rows.map((row) => row.id)]);
      return rows.length;
    });
  }
}
