import { Controller, Get, Module, ServiceUnavailableException } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ObservabilityModule } from '../src';
import { LogCapture } from './log-capture';

/** What a library reports when the dependency behind it is down (the database library's error does this). */
class DependencyDownException extends ServiceUnavailableException {
  readonly retryAfterSeconds = 7;

  constructor() {
    super('the ledger is unavailable; try again shortly', { cause: new Error('connect ECONNREFUSED 10.0.0.9:5432') });
  }
}

@Controller('ledger')
class LedgerController {
  @Get('down')
  down(): never {
    throw new DependencyDownException();
  }

  @Get('overloaded')
  overloaded(): never {
    throw new ServiceUnavailableException('overloaded');
  }
}

@Module({ imports: [ObservabilityModule.forRoot({ serviceName: 'filter-test', env: { LOG_LEVEL: 'error' }, logDestination: new LogCapture() })], controllers: [LedgerController] })
class LedgerModule {}

describe('HttpErrorFilter and an exception that says when to retry', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [LedgerModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const get = (url: string) => app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers: { 'x-request-id': 'req-7' } });

  it('answers its status in the usual body and sets Retry-After from retryAfterSeconds', async () => {
    const response = await get('/ledger/down');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'the ledger is unavailable; try again shortly', request_id: 'req-7' });
  });

  it('sets no Retry-After when the exception does not say', async () => {
    const response = await get('/ledger/overloaded');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBeUndefined();
  });
});
