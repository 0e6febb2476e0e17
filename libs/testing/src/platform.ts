import Redis from 'ioredis';
import { deleteRedisKeys } from './cleanup';
import { OtlpReceiver } from './otlp-receiver';
import { freePort, uniqueName, waitFor } from './ports';
import { ServiceProcess, type ServiceProcessOptions } from './service-process';
import { createTestDatabase, type TestDatabase } from './test-database';
import { deleteRabbitNamespace } from './test-rabbitmq';
import { randomBytes } from 'node:crypto';

export const SERVICES = [
  'api-gateway',
  'user-management',
  'payment',
  'trading',
  'market-data',
  'signals',
  'portfolio',
  'risk',
  'notification',
  'audit',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Every queue the services declare, so a run can delete its own. */
const QUEUES = [
  'trading.market-ticks',
  'risk.trades',
  'portfolio.trades',
  'portfolio.market-ticks',
  'signals.market-ticks',
  'notification.events',
  'audit.events',
];

/** The variable through which one service finds another. */
const URL_VARIABLES: Partial<Record<ServiceName, string>> = {
  'user-management': 'USER_MANAGEMENT_URL',
  payment: 'PAYMENT_URL',
  trading: 'TRADING_URL',
  'market-data': 'MARKET_DATA_URL',
  signals: 'SIGNALS_URL',
  portfolio: 'PORTFOLIO_URL',
  risk: 'RISK_URL',
  notification: 'NOTIFICATION_URL',
  audit: 'AUDIT_URL',
};

export interface PlatformOptions {
  /** Which services to run; all ten by default. */
  services?: readonly ServiceName[];
  /** OTLP endpoint for every service; defaults to a receiver started here. */
  otlpEndpoint?: string;
  elasticsearchUrl?: string;
  /** Where the services find Redis (a TcpProxy in the readiness test). */
  redisUrl?: string;
  /**
   * host:port through which the services reach PostgreSQL (a TcpProxy in the chaos test); the run's
   * database is still created and dropped directly.
   */
  postgresAddress?: string;
  /** Where the services find RabbitMQ; the run's exchange and queues are still removed directly. */
  rabbitmqUrl?: string;
  gatewayLogLevel?: string;
  /** Extra environment per service. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** How every service process is run (benchmarks discard stdout and may preload a module). */
  process?: ServiceProcessOptions;
  /** Keep every span received (tests) or only count them (benchmarks). */
  keepSpans?: boolean;
}

/**
 * The platform as real processes on free ports: one database, one exchange and queue prefix, and
 * Redis key prefixes of this run only, removed again by stop().
 */
export class Platform {
  readonly receiver: OtlpReceiver;
  readonly runId = uniqueName('it');
  readonly exchange = `${this.runId}.events`;
  readonly queuePrefix = `${this.runId}.`;
  readonly redisKeyBase = `${this.runId}:`;
  readonly jwtSecret = randomBytes(32).toString('hex');
  database: TestDatabase | undefined;
  readonly services = new Map<ServiceName, ServiceProcess>();
  private stopped = false;

  constructor(private readonly options: PlatformOptions = {}) {
    this.receiver = new OtlpReceiver({ keepSpans: options.keepSpans });
  }

  get gateway(): ServiceProcess {
    return this.service('api-gateway');
  }

  get marketData(): ServiceProcess {
    return this.service('market-data');
  }

  service(name: ServiceName): ServiceProcess {
    const process = this.services.get(name);
    if (!process) throw new Error(`${name} is not part of this platform run`);
    return process;
  }

  get databaseUrl(): string {
    if (!this.database) throw new Error('the platform has no database (no service that needs one was started)');
    return this.database.url;
  }

  /** Kills a service with SIGKILL and starts it again on the same port with the same settings. */
  async killAndRestart(name: ServiceName, afterKill?: () => Promise<void>): Promise<void> {
    const killed = this.service(name);
    await killed.kill();
    await afterKill?.();
    const restarted = killed.sameAgain();
    this.services.set(name, restarted);
    await restarted.start(60_000);
  }

  /** The services whose process has ended without stop(), with how it ended. */
  crashed(): Array<{ name: string; ended: string }> {
    return [...this.services.values()].flatMap((service) => (service.ended === undefined ? [] : [{ name: service.name, ended: service.ended }]));
  }

  async start(): Promise<void> {
    const names = this.options.services ?? SERVICES;
    // A run pointed at another collector (a benchmark's sink in its own process) leaves this one unstarted.
    if (!this.options.otlpEndpoint) await this.receiver.start();
    if (names.some((name) => name !== 'api-gateway' && name !== 'market-data')) this.database = await createTestDatabase('platform');

    const ports = new Map<ServiceName, number>();
    for (const name of names) ports.set(name, await freePort());
    const urls = Object.fromEntries(
      [...ports].filter(([name]) => URL_VARIABLES[name]).map(([name, port]) => [URL_VARIABLES[name] as string, `http://127.0.0.1:${port}`]),
    );
    const common: Record<string, string> = {
      OTEL_EXPORTER_OTLP_ENDPOINT: this.options.otlpEndpoint ?? this.receiver.endpoint,
      ...(this.options.elasticsearchUrl ? { ELASTICSEARCH_URL: this.options.elasticsearchUrl } : {}),
      ...(this.database ? { DATABASE_URL: viaAddress(this.database.url, this.options.postgresAddress) } : {}),
      REDIS_URL: this.options.redisUrl ?? 'redis://127.0.0.1:6379',
      ...(this.options.rabbitmqUrl ? { RABBITMQ_URL: this.options.rabbitmqUrl } : {}),
      EVENTS_EXCHANGE: this.exchange,
      RABBITMQ_QUEUE_PREFIX: this.queuePrefix,
      JWT_SECRET: this.jwtSecret,
      MARKET_TICK_INTERVAL_MS: '100',
      LOG_LEVEL: 'info',
      ...urls,
    };
    for (const name of names) {
      this.services.set(
        name,
        new ServiceProcess(name, ports.get(name) as number, {
          ...common,
          REDIS_KEY_PREFIX: `${this.redisKeyBase}${name}:`,
          ...(name === 'api-gateway' && this.options.gatewayLogLevel ? { LOG_LEVEL: this.options.gatewayLogLevel } : {}),
          ...this.options.env?.[name],
        }, this.options.process),
      );
    }
    await Promise.all([...this.services.values()].map((service) => service.start(60_000)));
  }

  /**
   * Waits, after start(), for market-data's first AAPL price and then for every service of this run to
   * answer /health/ready (every consumer bound): each within `timeoutMs`.
   */
  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    if (this.services.has('market-data')) {
      await waitFor('a first AAPL price', async () => ((await fetch(`${this.marketData.url}/quotes/AAPL`)).status === 200 ? true : undefined), timeoutMs);
    }
    await waitFor('every service ready', async () => {
      for (const service of this.services.values()) if ((await fetch(`${service.managementUrl}/health/ready`)).status !== 200) return undefined;
      return true;
    }, timeoutMs);
  }

  /** Stops everything and removes what the run created; a second call does nothing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.services.values()].map((service) => service.stop()));
    await this.receiver.stop();
    await cleanUp(this.redisKeyBase, this.exchange, this.queuePrefix);
    await this.database?.drop();
  }
}

/** The same URL pointed at another host:port (a proxy in front of the server). */
function viaAddress(url: string, address: string | undefined): string {
  if (!address) return url;
  const rewritten = new URL(url);
  rewritten.host = address;
  return rewritten.toString();
}

async function cleanUp(redisKeyBase: string, exchange: string, queuePrefix: string): Promise<void> {
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  await deleteRedisKeys(redis, redisKeyBase);
  redis.disconnect();
  await deleteRabbitNamespace(exchange, QUEUES.map((queue) => `${queuePrefix}${queue}`));
}
