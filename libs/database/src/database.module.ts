import { HealthRegistry, SERVICE_LOGGER, ServiceMetrics, env, loadEnv, postgresCheck, type ServiceLogger } from '@ai-finance/observability';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadDatabaseConfig, type DatabaseConfig } from './database-config';
import { Database } from './database';
import { isDatabaseUnavailable } from './database-unavailable';
import { runMigrations, type Migration } from './migrations';

export const DATABASE_CONFIG = Symbol('DATABASE_CONFIG');
const MIGRATIONS = Symbol('MIGRATIONS');

export interface DatabaseModuleOptions {
  /** Default PostgreSQL schema of the service (DATABASE_SCHEMA overrides it). */
  schema: string;
  migrations: Migration[];
}

/** Applies migrations at start-up (waiting for PostgreSQL if it is still starting) and closes the pool last. */
@Injectable()
class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly database: Database,
    @Inject(MIGRATIONS) private readonly migrations: Migration[],
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    const { DATABASE_STARTUP_TIMEOUT_MS: timeoutMs } = loadEnv({ DATABASE_STARTUP_TIMEOUT_MS: env.positiveInt(60_000) });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await runMigrations(this.database, this.migrations, this.logger);
        return;
      } catch (error) {
        const unreachable = isDatabaseUnavailable(error);
        if (!unreachable || Date.now() > deadline) {
          throw new Error(`PostgreSQL schema "${this.database.config.schema}" could not be prepared: ${error instanceof Error ? error.message : String(error)}`);
        }
        this.logger.warn({ error }, 'PostgreSQL is not reachable yet; retrying migrations');
        await sleep(1_000);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        { provide: DATABASE_CONFIG, useFactory: (): DatabaseConfig => loadDatabaseConfig(options.schema) },
        { provide: MIGRATIONS, useValue: options.migrations },
        {
          provide: Database,
          useFactory: (config: DatabaseConfig, metrics: ServiceMetrics, logger: ServiceLogger, health: HealthRegistry) => {
            const database = new Database(config, metrics, logger);
            health.register('postgres', postgresCheck(database.pool));
            return database;
          },
          inject: [DATABASE_CONFIG, ServiceMetrics, SERVICE_LOGGER, HealthRegistry],
        },
        DatabaseLifecycle,
      ],
      exports: [Database, DATABASE_CONFIG],
    };
  }
}
