import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { RequestContext, contextFromHeaders, injectTraceHeaders, type ServiceLogger, type ServiceMetrics } from '@ai-finance/observability';
import * as amqp from 'amqplib';
import { OutageLog } from './outage-log';
import { isTransientFailure, pauseUnlessAborted } from './transient-failure';

export interface RabbitBrokerOptions {
  url: string;
  /** The topic exchange every business event goes through. */
  exchange: string;
  /** Name shown in RabbitMQ's management UI for this connection. */
  connectionName: string;
  /** Put before every queue name, so that test runs sharing one server never share a queue. */
  queuePrefix?: string;
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** First wait before a message whose handler found its database unavailable is tried again; doubles. */
  transientRetryDelayMs?: number;
  maxTransientRetryDelayMs?: number;
}

export interface ConsumeOptions {
  /** Messages handled at once by this consumer; 1 keeps the queue's order. */
  prefetch?: number;
  /** The queue carries messages that the next one replaces (price ticks): bounded, and no dead-letter queue. */
  superseded?: boolean;
}

const SUPERSEDED_TTL_MS = 60_000;
const SUPERSEDED_MAX_LENGTH = 10_000;

/** What `consume` tells the broker about a message whose handler resolved. */
export type ConsumeOutcome = 'processed' | 'duplicate';

export interface OutgoingMessage {
  routingKey: string;
  payload: unknown;
  messageId?: string;
  headers?: Record<string, unknown>;
}

export interface PublishOptions {
  messageId?: string;
  headers?: Record<string, unknown>;
}

export type MessageHandler<T> = (payload: T, message: amqp.ConsumeMessage) => Promise<ConsumeOutcome | void>;

/**
 * One RabbitMQ connection per service: reconnects with back-off, publishes with confirms, and carries
 * `traceparent` and `x-request-id` on every message so that consumers continue the producer's trace.
 */
export class RabbitBroker {
  private connection: amqp.ChannelModel | undefined;
  private channel: amqp.ConfirmChannel | undefined;
  /** Aborted when `channel` closes: messages waiting to be retried on it give up, RabbitMQ redelivers them. */
  private channelClosed: AbortController | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private closing = false;
  private connecting: Promise<void> | undefined;
  private readonly consumers: Array<() => Promise<void>> = [];
  private readonly published;
  private readonly consumed;
  private readonly outages: OutageLog;

  constructor(
    private readonly options: RabbitBrokerOptions,
    private readonly logger: ServiceLogger,
    metrics: ServiceMetrics,
  ) {
    this.delayMs = options.reconnectDelayMs ?? 1_000;
    this.outages = new OutageLog(logger);
    this.published = metrics.counter({
      name: 'messages_published_total',
      help: 'Messages RabbitMQ confirmed, by exchange and routing key.',
      labelNames: ['exchange', 'routing_key'],
    });
    this.consumed = metrics.counter({
      name: 'messages_consumed_total',
      help: 'Messages taken from a queue, by outcome: processed, duplicate (seen before), retried, retried_transient (its database was unavailable), dead_lettered, dropped.',
      labelNames: ['queue', 'status'],
    });
  }

  /** The full queue name for `name`, with this broker's prefix. */
  queueName(name: string): string {
    return `${this.options.queuePrefix ?? ''}${name}`;
  }

  isConnected(): boolean {
    return this.channel !== undefined;
  }

  /** Connects now if it can; if not, keeps trying in the background and resolves anyway. */
  async start(): Promise<void> {
    await this.connectOnce();
  }

  /**
   * Publishes a JSON event. Returns false without waiting when the broker is unreachable, so callers
   * decide what losing the event means (a price tick may go; a payment must go through an outbox).
   */
  async publish(routingKey: string, payload: unknown, options: PublishOptions = {}): Promise<boolean> {
    return this.publishAll([{ routingKey, payload, messageId: options.messageId, headers: injectTraceHeaders({ ...options.headers }) }]);
  }

  /**
   * Publishes several messages and waits for RabbitMQ to confirm all of them at once: true only when
   * every one was confirmed. Each message carries its own headers (the outbox stores the trace
   * context of the transaction that wrote it).
   */
  async publishAll(messages: OutgoingMessage[]): Promise<boolean> {
    const channel = this.channel;
    if (!channel) return false;
    if (messages.length === 0) return true;
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      for (const message of messages) {
        channel.publish(this.options.exchange, message.routingKey, Buffer.from(JSON.stringify(message.payload)), {
          contentType: 'application/json',
          persistent: true,
          messageId: message.messageId,
          timestamp,
          headers: message.headers ?? {},
        });
      }
      await channel.waitForConfirms();
    } catch (error) {
      this.logger.warn({ error, messages: messages.length }, 'RabbitMQ publish was not confirmed');
      return false;
    }
    for (const message of messages) this.published.inc({ exchange: this.options.exchange, routing_key: message.routingKey });
    return true;
  }

  /**
   * Consumes a durable queue bound to the exchange. A message is acknowledged only after the handler
   * resolves; one that keeps failing goes to the queue's dead-letter queue instead of looping. A handler
   * that fails because its database is unavailable is retried with back-off for as long as that lasts:
   * the messages it holds fill the prefetch, so the consumer pauses until the database returns.
   */
  async consume<T>(name: string, bindingKeys: string[], handler: MessageHandler<T>, options: ConsumeOptions = {}): Promise<void> {
    const queue = this.queueName(name);
    const subscribe = async (): Promise<void> => {
      const channel = this.channel;
      const closed = this.channelClosed?.signal;
      if (!channel || !closed) return;
      if (options.superseded) {
        // Each message is replaced by the next (a price tick): while the consumer is away the queue keeps
        // only the last minute, at most 10,000, and a message that keeps failing is dropped, not parked.
        await channel.assertQueue(queue, { durable: true, messageTtl: SUPERSEDED_TTL_MS, maxLength: SUPERSEDED_MAX_LENGTH });
      } else {
        const deadLetterQueue = `${queue}.dead-letter`;
        await channel.assertQueue(deadLetterQueue, { durable: true });
        await channel.assertQueue(queue, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: deadLetterQueue });
      }
      for (const key of bindingKeys) await channel.bindQueue(queue, this.options.exchange, key);
      await channel.prefetch(options.prefetch ?? 32);
      await channel.consume(queue, (message) => {
        if (message) void this.handle(channel, closed, queue, message, handler, options.superseded === true);
      });
    };
    this.consumers.push(subscribe);
    await subscribe();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.channelClosed?.abort();
    clearTimeout(this.reconnectTimer);
    // An attempt already under way must not open a connection after close() returned.
    await this.connecting;
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
    this.channel = undefined;
    this.channelClosed = undefined;
  }

  private async handle<T>(
    channel: amqp.ConfirmChannel,
    closed: AbortSignal,
    queue: string,
    message: amqp.ConsumeMessage,
    handler: MessageHandler<T>,
    superseded: boolean,
  ): Promise<void> {
    const headers = message.properties.headers ?? {};
    const parent = propagation.extract(ROOT_CONTEXT, headers);
    const about = { queue, routing_key: message.fields.routingKey, message_id: message.properties.messageId };
    await context.with(parent, () =>
      RequestContext.run(contextFromHeaders(headers, context.active()), async () => {
        let delayMs = this.options.transientRetryDelayMs ?? 1_000;
        for (;;) {
          try {
            const outcome = await handler(JSON.parse(message.content.toString()) as T, message);
            this.outages.recovered(queue, { queue }, 'the database is back; consuming again');
            if (!this.settle(queue, message, () => channel.ack(message))) return;
            this.consumed.inc({ queue, status: outcome ?? 'processed' });
            return;
          } catch (error) {
            if (!isTransientFailure(error)) {
              this.rejectFailed(channel, message, about, error, superseded);
              return;
            }
            this.consumed.inc({ queue, status: 'retried_transient' });
            this.outages.failed(queue, { ...about, error, retry_in_ms: delayMs }, 'the database is unavailable; messages wait in the queue and are retried');
            if (!(await pauseUnlessAborted(delayMs, closed))) {
              this.logger.debug(about, 'the channel closed while the message waited for its database; RabbitMQ will deliver it again');
              return;
            }
            delayMs = Math.min(delayMs * 2, this.options.maxTransientRetryDelayMs ?? 30_000);
          }
        }
      }),
    );
  }

  /** A handler that failed for a reason of the message's own: one more try, then the dead-letter queue. */
  private rejectFailed(
    channel: amqp.ConfirmChannel,
    message: amqp.ConsumeMessage,
    about: { queue: string; routing_key: string; message_id: unknown },
    error: unknown,
    superseded: boolean,
  ): void {
    const retry = !message.fields.redelivered;
    this.logger.error(
      { log_type: 'error', error, ...about, redelivered: message.fields.redelivered },
      retry ? 'message handling failed; it will be retried once' : `message handling failed again; ${superseded ? 'dropped' : 'moved to the dead-letter queue'}`,
    );
    if (!this.settle(about.queue, message, () => channel.nack(message, false, retry))) return;
    this.consumed.inc({ queue: about.queue, status: retry ? 'retried' : superseded ? 'dropped' : 'dead_lettered' });
  }

  /**
   * Acks or nacks; false when the channel closed under the handler (close() or a lost connection). The
   * message is then unsettled, and RabbitMQ delivers it again, marked redelivered: nothing is lost, and
   * the closed channel must not crash the process.
   */
  private settle(queue: string, message: amqp.ConsumeMessage, answer: () => void): boolean {
    try {
      answer();
      return true;
    } catch (error) {
      this.logger.warn(
        { queue, routing_key: message.fields.routingKey, message_id: message.properties.messageId, error },
        'the channel closed before the message was settled; RabbitMQ will deliver it again',
      );
      return false;
    }
  }

  private connectOnce(): Promise<void> {
    this.connecting = this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    let connection: amqp.ChannelModel | undefined;
    try {
      connection = await amqp.connect(this.options.url, { clientProperties: { connection_name: this.options.connectionName } });
      // Listeners first: a failure during set-up must neither crash the process nor leak the connection.
      connection.on('error', (error: Error) => this.logger.warn({ error }, 'RabbitMQ connection error'));
      const channel = await connection.createConfirmChannel();
      channel.on('error', (error: Error) => this.logger.warn({ error }, 'RabbitMQ channel error'));
      const channelClosed = new AbortController();
      channel.on('close', () => {
        channelClosed.abort();
        // RabbitMQ also closes a channel alone (a delivery left unacknowledged past consumer_timeout, as a
        // long database outage can cause): closing its connection too reconnects and resubscribes. Checked
        // on the next turn, by when a connection that went down itself has already been forgotten.
        setImmediate(() => {
          const current = this.connection;
          if (!this.closing && current && current === connection) void current.close().catch(() => undefined);
        });
      });
      await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
      if (this.closing) {
        await connection.close();
        return;
      }
      connection.on('close', () => this.onDisconnect());
      this.connection = connection;
      this.channel = channel;
      this.channelClosed = channelClosed;
      this.delayMs = this.options.reconnectDelayMs ?? 1_000;
      for (const subscribe of this.consumers) await subscribe();
      this.logger.info({ exchange: this.options.exchange }, 'connected to RabbitMQ');
    } catch (error) {
      if (connection && connection !== this.connection) await connection.close().catch(() => undefined);
      this.logger.warn({ error, retry_in_ms: this.delayMs }, 'RabbitMQ unreachable or refused the set-up; retrying in the background');
      this.scheduleReconnect();
    }
  }

  private onDisconnect(): void {
    this.connection = undefined;
    this.channel = undefined;
    this.channelClosed = undefined;
    if (this.closing) return;
    this.logger.warn({}, 'RabbitMQ connection closed; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connectOnce();
    }, this.delayMs);
    this.reconnectTimer.unref();
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxReconnectDelayMs ?? 30_000);
  }
}
