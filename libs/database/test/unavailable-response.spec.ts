import { ObservabilityModule, SERVICE_LOGGER, ServiceMetrics, type ServiceLogger } from '@ai-finance/observability';
import { createTestDatabase, startNestApp, TcpProxy, TEST_POSTGRES_URL, type TestDatabase } from '@ai-finance/testing';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { Database, loadDatabaseConfig } from '../src';

const silent = new Writable({ write: (_c, _e, done) => done() });

describe('A request that needs PostgreSQL while it is unreachable', () => {
  let testDatabase: TestDatabase;
  let proxy: TcpProxy;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('unavail');
    proxy = await TcpProxy.inFrontOf(TEST_POSTGRES_URL, 5432);
    const url = proxy.route(testDatabase.url);

    @Controller('accounts')
    class AccountsController {
      constructor(private readonly database: Database) {}

      @Get()
      async count(): Promise<{ accounts: number }> {
        const { rows } = await this.database.query<{ n: number }>('count_accounts', 'SELECT 0::int AS n');
        return { accounts: rows[0]!.n };
      }
    }

    @Module({
      imports: [ObservabilityModule.forRoot({ serviceName: 'unavailable-test', env: { LOG_LEVEL: 'error' }, logDestination: silent })],
      controllers: [AccountsController],
      providers: [
        {
          provide: Database,
          useFactory: (metrics: ServiceMetrics, logger: ServiceLogger) =>
            new Database(loadDatabaseConfig('unavail_test', { DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT_MS: '1000' }), metrics, logger),
          inject: [ServiceMetrics, SERVICE_LOGGER],
        },
      ],
    })
    class AccountsModule {}

    app = await startNestApp(AccountsModule, { app: { logger: false } });
  });

  afterAll(async () => {
    await app?.get(Database).close();
    await app?.close();
    await proxy?.stop();
    await testDatabase?.drop();
  });

  const getAccounts = () => app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/accounts', headers: { 'x-request-id': 'req-db-down' } });

  it('answers 503 with the platform error body and Retry-After, then 200 once PostgreSQL is back', async () => {
    expect((await getAccounts()).statusCode).toBe(200);
    await proxy.stop();

    const refused = await getAccounts();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'PostgreSQL is unavailable; try again shortly',
      request_id: 'req-db-down',
    });

    await proxy.start();
    expect((await getAccounts()).statusCode).toBe(200);
  });
});
