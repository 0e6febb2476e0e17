import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { RequestContext, contextFromHeaders, injectTraceHeaders, type ServiceLogger } from '@ai-finance/observability';
import * as amqp from 'amqplib';

export interface RabbitBrokerOptions {
  url: string;
  /** The topic exchange every business event goes through. */
  exchange: string;
  /** Name shown in RabbitMQ's management UI for this connection. */
  connectionName: string;
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

export interface PublishOptions {
  messageId?: string;
  headers?: Record<string, unknown>;
}

export type MessageHandler<T> = (payload: T, message: amqp.ConsumeMessage) => Promise<void>;

/**
 * One RabbitMQ connection per service: reconnects with back-off, publishes with confirms, and carries
 * `traceparent` and `x-request-id` on every message so that consumers continue the producer's trace.
 */
export class RabbitBroker {
  private connection: amqp.ChannelModel | undefined;
  private channel: amqp.ConfirmChannel | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private closing = false;
  private connecting: Promise<void> | undefined;
  private readonly consumers: Array<() => Promise<void>> = [];

  constructor(
    private readonly options: RabbitBrokerOptions,
    private readonly logger: ServiceLogger,
  ) {
    this.delayMs = options.reconnectDelayMs ?? 1_000;
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
    const channel = this.channel;
    if (!channel) return false;
    const headers = injectTraceHeaders({ ...options.headers });
    try {
      channel.publish(this.options.exchange, routingKey, Buffer.from(JSON.stringify(payload)), {
        contentType: 'application/json',
        persistent: true,
        messageId: options.messageId,
        timestamp: Math.floor(Date.now() / 1000),
        headers,
      });
      await channel.waitForConfirms();
      return true;
    } catch (error) {
      this.logger.warn({ error, routing_key: routingKey }, 'RabbitMQ publish was not confirmed');
      return false;
    }
  }

  /**
   * Consumes a durable queue bound to the exchange. A message is acknowledged only after the handler
   * resolves; one that keeps failing goes to the queue's dead-letter queue instead of looping.
   */
  async consume<T>(queue: string, bindingKeys: string[], handler: MessageHandler<T>): Promise<void> {
    const subscribe = async (): Promise<void> => {
      const channel = this.channel;
      if (!channel) return;
      const deadLetterQueue = `${queue}.dead-letter`;
      await channel.assertQueue(deadLetterQueue, { durable: true });
      await channel.assertQueue(queue, { durable: true, deadLetterExchange: '', deadLetterRoutingKey: deadLetterQueue });
      for (const key of bindingKeys) await channel.bindQueue(queue, this.options.exchange, key);
      await channel.prefetch(32);
      await channel.consume(queue, (message) => {
        if (message) void this.handle(channel, message, handler);
      });
    };
    this.consumers.push(subscribe);
    await subscribe();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    // An attempt already under way must not open a connection after close() returned.
    await this.connecting;
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
    this.channel = undefined;
  }

  private async handle<T>(channel: amqp.ConfirmChannel, message: amqp.ConsumeMessage, handler: MessageHandler<T>): Promise<void> {
    const headers = message.properties.headers ?? {};
    const parent = propagation.extract(ROOT_CONTEXT, headers);
    await context.with(parent, () =>
      RequestContext.run(contextFromHeaders(headers, context.active()), async () => {
        try {
          await handler(JSON.parse(message.content.toString()) as T, message);
          channel.ack(message);
        } catch (error) {
          this.logger.error({ log_type: 'error', error, routing_key: message.fields.routingKey, redelivered: message.fields.redelivered }, 'message handling failed');
          // First failure: try once more. Second: dead-letter it, where an operator can look at it.
          channel.nack(message, false, !message.fields.redelivered);
        }
      }),
    );
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
      await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
      if (this.closing) {
        await connection.close();
        return;
      }
      connection.on('close', () => this.onDisconnect());
      this.connection = connection;
      this.channel = channel;
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
