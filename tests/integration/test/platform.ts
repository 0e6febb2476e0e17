import { deleteRedisKeys, freePort, OtlpReceiver, ServiceProcess, uniqueName } from '@ai-finance/testing';

export interface PlatformOptions {
  /** OTLP endpoint for both services; defaults to a receiver started here. */
  otlpEndpoint?: string;
  elasticsearchUrl?: string;
  /** Where market-data finds Redis (a TcpProxy in the readiness test). */
  redisUrl?: string;
  gatewayLogLevel?: string;
}

/** api-gateway in front of market-data, as two real processes on free ports with unique Redis and RabbitMQ names. */
export class Platform {
  readonly receiver = new OtlpReceiver();
  readonly redisKeyPrefix = `${uniqueName('it-md')}:`;
  readonly exchange = uniqueName('it-events');
  marketData!: ServiceProcess;
  gateway!: ServiceProcess;

  constructor(private readonly options: PlatformOptions = {}) {}

  async start(): Promise<void> {
    await this.receiver.start();
    const otlp = this.options.otlpEndpoint ?? this.receiver.endpoint;
    const common: Record<string, string> = {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
      ...(this.options.elasticsearchUrl ? { ELASTICSEARCH_URL: this.options.elasticsearchUrl } : {}),
    };
    const [marketDataPort, gatewayPort] = [await freePort(), await freePort()];
    this.marketData = new ServiceProcess('market-data', marketDataPort, {
      ...common,
      REDIS_URL: this.options.redisUrl ?? 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: this.redisKeyPrefix,
      EVENTS_EXCHANGE: this.exchange,
      MARKET_TICK_INTERVAL_MS: '100',
      LOG_LEVEL: 'info',
    });
    this.gateway = new ServiceProcess('api-gateway', gatewayPort, {
      ...common,
      MARKET_DATA_URL: this.marketData.url,
      LOG_LEVEL: this.options.gatewayLogLevel ?? 'info',
    });
    await Promise.all([this.marketData.start(), this.gateway.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.gateway?.stop(), this.marketData?.stop()]);
    await this.receiver.stop();
    await cleanUp(this.redisKeyPrefix, this.exchange);
  }
}

async function cleanUp(redisKeyPrefix: string, exchange: string): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  await deleteRedisKeys(redis, redisKeyPrefix);
  redis.disconnect();

  const amqp = await import('amqplib');
  const connection = await amqp.connect('amqp://127.0.0.1:5672');
  const channel = await connection.createChannel();
  await channel.deleteExchange(exchange);
  await connection.close();
}
