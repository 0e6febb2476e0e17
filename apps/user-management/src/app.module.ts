import { Database, DatabaseModule } from '@ai-finance/database';
import { MessagingModule, Outbox } from '@ai-finance/messaging';
import {
  HealthRegistry,
  ObservabilityModule,
  SERVICE_LOGGER,
  ServiceMetrics,
  redisCheck,
  type ObservabilityForRootOptions,
  type ServiceLogger,
} from '@ai-finance/observability';
import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { ActiveUsers } from './activity/active-users';
import { AuthController } from './auth/auth.controller';
import { Authentication } from './auth/authentication';
import { LoginFailureCounter } from './auth/login-failures';
import { SessionStore } from './auth/sessions';
import { AccessTokenSigner } from './auth/tokens';
import { loadUserManagementConfig, USER_MANAGEMENT_CONFIG, type UserManagementConfig } from './config';
import { declareUserManagementMetrics, USER_MANAGEMENT_METRICS, type UserManagementMetrics } from './metrics';
import { USER_MANAGEMENT_MIGRATIONS } from './migrations';
import { USER_MANAGEMENT_SCHEMA } from './roles/grant-operator';
import { SecurityEvents } from './security-events';
import { UserAccounts } from './users/user-accounts';
import { UsersController } from './users/users.controller';

export interface UserManagementModuleOptions {
  /** Replaces stdout for log lines (tests read the security events this way). */
  logDestination?: ObservabilityForRootOptions['logDestination'];
}

/** user-management: accounts, logins with lockout, sessions with rotating refresh tokens, active users. */
@Module({})
export class UserManagementModule implements OnApplicationShutdown {
  constructor(private readonly redis: Redis) {}

  static forRoot(options: UserManagementModuleOptions = {}): DynamicModule {
    return {
      module: UserManagementModule,
      imports: [
        ObservabilityModule.forRoot({ serviceName: 'user-management', logDestination: options.logDestination }),
        DatabaseModule.forRoot({ schema: USER_MANAGEMENT_SCHEMA, migrations: USER_MANAGEMENT_MIGRATIONS }),
        MessagingModule.forRoot({ connectionName: 'user-management', transactional: true }),
      ],
      controllers: [UsersController, AuthController],
      providers: [
        // Loaded first among our providers: a missing JWT_SECRET stops the start naming the variable.
        { provide: USER_MANAGEMENT_CONFIG, useFactory: () => loadUserManagementConfig() },
        { provide: USER_MANAGEMENT_METRICS, useFactory: declareUserManagementMetrics, inject: [ServiceMetrics] },
        {
          provide: Redis,
          useFactory: (config: UserManagementConfig, health: HealthRegistry) => {
            // No offline queue: while Redis is away, commands fail at once instead of piling up in memory.
            const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
            redis.on('error', () => undefined); // ioredis reconnects by itself; readiness reports the outage.
            health.register('redis', redisCheck(redis));
            return redis;
          },
          inject: [USER_MANAGEMENT_CONFIG, HealthRegistry],
        },
        {
          provide: SecurityEvents,
          useFactory: (metrics: UserManagementMetrics, logger: ServiceLogger) => new SecurityEvents(metrics, logger),
          inject: [USER_MANAGEMENT_METRICS, SERVICE_LOGGER],
        },
        {
          provide: ActiveUsers,
          useFactory: (redis: Redis, config: UserManagementConfig, metrics: UserManagementMetrics, logger: ServiceLogger) =>
            new ActiveUsers(redis, config.redisKeyPrefix, config.activeUsersRefreshIntervalMs, metrics, logger),
          inject: [Redis, USER_MANAGEMENT_CONFIG, USER_MANAGEMENT_METRICS, SERVICE_LOGGER],
        },
        {
          provide: SessionStore,
          useFactory: (database: Database, config: UserManagementConfig) => new SessionStore(database, config.refreshTokenTtlSeconds),
          inject: [Database, USER_MANAGEMENT_CONFIG],
        },
        {
          provide: AccessTokenSigner,
          useFactory: (config: UserManagementConfig) => new AccessTokenSigner(config.jwtSecret, config.accessTokenTtlSeconds),
          inject: [USER_MANAGEMENT_CONFIG],
        },
        {
          provide: LoginFailureCounter,
          useFactory: (redis: Redis, config: UserManagementConfig, logger: ServiceLogger) =>
            new LoginFailureCounter(redis, config.redisKeyPrefix, config.loginFailureWindowSeconds, logger),
          inject: [Redis, USER_MANAGEMENT_CONFIG, SERVICE_LOGGER],
        },
        {
          provide: UserAccounts,
          useFactory: (database: Database, outbox: Outbox, metrics: UserManagementMetrics, logger: ServiceLogger) => new UserAccounts(database, outbox, metrics, logger),
          inject: [Database, Outbox, USER_MANAGEMENT_METRICS, SERVICE_LOGGER],
        },
        {
          provide: Authentication,
          useFactory: (
            config: UserManagementConfig,
            database: Database,
            outbox: Outbox,
            sessions: SessionStore,
            signer: AccessTokenSigner,
            failures: LoginFailureCounter,
            activeUsers: ActiveUsers,
            security: SecurityEvents,
            metrics: UserManagementMetrics,
            logger: ServiceLogger,
          ) => new Authentication(config, database, outbox, sessions, signer, failures, activeUsers, security, metrics, logger),
          inject: [
            USER_MANAGEMENT_CONFIG,
            Database,
            Outbox,
            SessionStore,
            AccessTokenSigner,
            LoginFailureCounter,
            ActiveUsers,
            SecurityEvents,
            USER_MANAGEMENT_METRICS,
            SERVICE_LOGGER,
          ],
        },
      ],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/** What main.ts starts: the service with its logs on stdout. */
@Module({ imports: [UserManagementModule.forRoot()] })
export class AppModule {}
