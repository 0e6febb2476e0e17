import { TcpProxy, TEST_POSTGRES_URL, TEST_RABBITMQ_URL } from '@ai-finance/testing';

/** Where the machine's Redis listens; libs/testing's Platform cleans up there too. */
const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * PostgreSQL, Redis and RabbitMQ as the services see them: each through a TCP proxy of this test, so
 * taking one away cuts only this run's services, never anything else on the machine.
 */
export class DependencyProxies {
  private constructor(
    readonly postgres: TcpProxy,
    readonly redis: TcpProxy,
    readonly rabbitmq: TcpProxy,
  ) {}

  static async start(): Promise<DependencyProxies> {
    const [postgres, redis, rabbitmq] = await Promise.all([
      TcpProxy.inFrontOf(TEST_POSTGRES_URL, 5432),
      TcpProxy.inFrontOf(REDIS_URL, 6379),
      TcpProxy.inFrontOf(TEST_RABBITMQ_URL, 5672),
    ]);
    return new DependencyProxies(postgres, redis, rabbitmq);
  }

  get postgresAddress(): string {
    return new URL(this.postgres.route(TEST_POSTGRES_URL)).host;
  }

  get redisUrl(): string {
    return this.redis.route(REDIS_URL);
  }

  /** The test's RabbitMQ URL (with its credentials) pointed at the proxy. */
  get rabbitmqUrl(): string {
    return this.rabbitmq.route(TEST_RABBITMQ_URL);
  }

  async stop(): Promise<void> {
    await Promise.all([this.postgres.stop(), this.redis.stop(), this.rabbitmq.stop()]);
  }
}
