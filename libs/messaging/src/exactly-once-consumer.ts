import type { Database, Transaction } from '@ai-finance/database';
import type { ServiceLogger } from '@ai-finance/observability';
import type { ConsumeMessage } from 'amqplib';
import type { RabbitBroker } from './rabbitmq-broker';

export type TransactionalHandler<T> = (payload: T, tx: Transaction, message: ConsumeMessage) => Promise<void>;

/** How long a processed message id is remembered; RabbitMQ redelivers within minutes, not days. */
const REMEMBER_PROCESSED_DAYS = 7;

/**
 * Consumes events so that each one takes effect once: the message id is recorded in
 * `processed_messages` in the same transaction as the handler's writes, the message is acknowledged
 * only after that commits, and a redelivered message whose id is already recorded is acknowledged
 * without running the handler again.
 */
export class ExactlyOnceConsumer {
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: Database,
    private readonly broker: RabbitBroker,
    private readonly logger: ServiceLogger,
  ) {}

  async consume<T>(queue: string, bindingKeys: string[], handler: TransactionalHandler<T>, options: { prefetch?: number } = {}): Promise<void> {
    const queueName = this.broker.queueName(queue);
    this.startPruning();
    await this.broker.consume<T>(
      queue,
      bindingKeys,
      async (payload, message) => {
        const messageId = message.properties.messageId as string | undefined;
        if (!messageId) throw new Error(`message on ${message.fields.routingKey} has no message id; it cannot be processed exactly once`);
        return this.database.transaction(`consume_${queue.replace(/[^a-z0-9]+/gi, '_')}`, async (tx) => {
          const recorded = await tx.query('INSERT INTO processed_messages (queue, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
            queueName,
            messageId,
          ]);
          if (recorded.rowCount === 0) return 'duplicate' as const;
          await handler(payload, tx, message);
          return 'processed' as const;
        });
      },
      options,
    );
  }

  stop(): void {
    clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
  }

  private startPruning(): void {
    if (this.pruneTimer) return;
    this.pruneTimer = setInterval(() => {
      this.database
        .query('prune_processed_messages', `DELETE FROM processed_messages WHERE processed_at < now() - make_interval(days => $1)`, [REMEMBER_PROCESSED_DAYS])
        .catch((error: unknown) => this.logger.warn({ error }, 'could not prune processed_messages'));
    }, 3_600_000);
    this.pruneTimer.unref();
  }
}
