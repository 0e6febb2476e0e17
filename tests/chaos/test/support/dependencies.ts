import { freePort, TcpProxy, TEST_POSTGRES_URL, TEST_RABBITMQ_URL } from '@ai-finance/testing';

/** Where the machine's Redis listens; libs/testing's Platform cleans up there too. */
const REDIS = { host: '127.0.0.1', port: 6379 };

function addressOf(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

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
    const proxies = new DependencyProxies(
      new TcpProxy(addressOf(TEST_POSTGRES_URL, 5432), await freePort()),
      new TcpProxy(REDIS, await freePort()),
      new TcpProxy(addressOf(TEST_RABBITMQ_URL, 5672), await freePort()),
    );
    await Promise.all([proxies.postgres.start(), proxies.redis.start(), proxies.rabbitmq.start()]);
    return proxies;
  }

  get postgresAddress(): string {
    return `127.0.0.1:${this.postgres.port}`;
  }

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.redis.port}`;
  }

  /** The test's RabbitMQ URL (with its credentials) pointed at the proxy. */
  get rabbitmqUrl(): string {
    const url = new URL(TEST_RABBITMQ_URL);
    url.host = `127.0.0.1:${this.rabbitmq.port}`;
    return url.toString();
  }

  async stop(): Promise<void> {
    await Promise.all([this.postgres.stop(), this.redis.stop(), this.rabbitmq.stop()]);
  }
}
