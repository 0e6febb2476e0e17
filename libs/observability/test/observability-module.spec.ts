import { BadRequestException, Body, Controller, Get, Inject, Module, Param, Post, UnprocessableEntityException, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { IsInt, IsString, Min } from 'class-validator';
import request from 'supertest';
import { HealthRegistry, ObservabilityModule, RequestContext, SERVICE_LOGGER, type ServiceLogger } from '../src';
import { LogCapture } from './log-capture';

const logs = new LogCapture();

class CreateOrderBody {
  @IsString() symbol!: string;
  @IsInt() @Min(1) quantity!: number;
}

@Controller('orders')
class OrdersController {
  constructor(@Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger) {}

  @Get(':id')
  async find(@Param('id') id: string): Promise<{ id: string }> {
    RequestContext.setUserId('user-7');
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.logger.info({ log_type: 'trading', transaction_id: `tx-${id}`, amount: 1250, currency: 'USD', status: 'filled' }, 'order looked up');
    return { id };
  }

  @Post()
  create(@Body() body: CreateOrderBody): CreateOrderBody {
    this.logger.info({ body }, 'order accepted');
    return body;
  }

  @Get('fail/internal')
  failInternal(): never {
    throw new Error('connection to db at 10.0.0.5 with password=hunter2 failed');
  }

  @Get('fail/client')
  failClient(): never {
    throw new BadRequestException('quantity must be positive');
  }

  @Get('fail/refused')
  failRefused(): never {
    throw new UnprocessableEntityException({ message: 'buying power exceeded', reason: 'buying_power', orderId: 'o-1', nested: { dropped: true } });
  }
}

@Module({ imports: [ObservabilityModule.forRoot({ serviceName: 'orders-test', env: { LOG_LEVEL: 'debug' }, logDestination: logs })], controllers: [OrdersController] })
class TestAppModule {}


describe('ObservabilityModule in a Fastify NestJS app', () => {
  let app: INestApplication;
  let postgresUp = true;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter());
    app.get(HealthRegistry).register('postgres', () => {
      if (!postgresUp) throw new Error('connection refused');
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  const linesFor = (requestId: string) => logs.records.filter((line) => line.request_id === requestId);

  it('generates a request id, echoes it, and binds it, the user and business fields to the log lines of that request', async () => {
    const response = await request(app.getHttpServer()).get('/orders/42').expect(200);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [business, access] = [
      linesFor(requestId).find((line) => line.message === 'order looked up'),
      linesFor(requestId).find((line) => line.log_type === 'http_request'),
    ];
    expect(business).toMatchObject({ service_name: 'orders-test', level: 'info', log_type: 'trading', user_id: 'user-7', transaction_id: 'tx-42', amount: 1250, currency: 'USD', status: 'filled' });
    expect(access).toMatchObject({ method: 'GET', route: '/orders/:id', path: '/orders/42', status_code: 200, user_id: 'user-7', level: 'info' });
    expect(typeof access?.duration_ms).toBe('number');
  });

  it('keeps a well-formed caller request id and replaces one that could inject anything', async () => {
    await request(app.getHttpServer()).get('/orders/1').set('x-request-id', 'caller-id-1').expect('x-request-id', 'caller-id-1');
    const replaced = await request(app.getHttpServer()).get('/orders/1').set('x-request-id', 'bad id","level":"fatal');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every line the seed fields: @timestamp, a level word, service_name, message and log_type', () => {
    expect(logs.records.length).toBeGreaterThan(3);
    for (const line of logs.records) {
      expect(line).toEqual(expect.objectContaining({ service_name: 'orders-test', message: expect.any(String), log_type: expect.any(String) }));
      expect(['error', 'warn', 'info', 'debug']).toContain(line.level);
      expect(String(line['@timestamp'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('answers invalid input with 400 and a message that says what was wrong', async () => {
    const response = await request(app.getHttpServer()).post('/orders').send({ symbol: 'AAPL', quantity: 0, extra: true }).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', request_id: response.headers['x-request-id'] });
    expect(response.body.message).toContain('quantity must not be less than 1');
    expect(response.body.message).toContain('property extra should not exist');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const response = await request(app.getHttpServer()).post('/orders').set('content-type', 'application/json').send('{"symbol":').expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, request_id: expect.any(String) });
  });

  it('passes a deliberate client error through unchanged', async () => {
    const response = await request(app.getHttpServer()).get('/orders/fail/client').expect(400);
    expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'quantity must be positive', request_id: response.headers['x-request-id'] });
  });

  it('keeps the scalar fields a service adds to a refusal, in the shared shape', async () => {
    const response = await request(app.getHttpServer()).get('/orders/fail/refused').expect(422);
    expect(response.body).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'buying power exceeded',
      request_id: response.headers['x-request-id'],
      reason: 'buying_power',
      orderId: 'o-1',
    });
  });

  it('answers a body that is not JSON with 415, in the shared shape', async () => {
    const response = await request(app.getHttpServer()).post('/orders').set('content-type', 'text/plain').send('symbol=AAPL').expect(415);
    expect(response.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type', request_id: response.headers['x-request-id'] });
  });

  it('answers an unexpected error with a 500 that reveals nothing, and logs it at error with the stack', async () => {
    const response = await request(app.getHttpServer()).get('/orders/fail/internal').expect(500);
    const requestId = response.headers['x-request-id'];
    expect(response.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: expect.stringContaining('request_id'), request_id: requestId });
    expect(JSON.stringify(response.body)).not.toContain('10.0.0.5');
    const errorLine = linesFor(requestId).find((line) => line.log_type === 'error');
    expect(errorLine).toMatchObject({ level: 'error', route: '/orders/fail/internal', status_code: 500 });
    expect(String((errorLine?.error as { stack?: string }).stack)).toContain('failInternal');
    expect(JSON.stringify(errorLine)).not.toContain('hunter2');
  });

  it('labels unknown paths "unmatched" and answers them with the same error shape', async () => {
    const response = await request(app.getHttpServer()).get('/no/such/path/123').expect(404);
    expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found', request_id: response.headers['x-request-id'] });
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toContain('route="unmatched"');
    expect(metrics.text).not.toContain('/no/such/path');
  });

  it('answers /health/live always, and /health/ready 503 naming the dependency that is down', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'alive' });
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ready', down: [], dependencies: { postgres: { status: 'up' } } });

    postgresUp = false;
    const notReady = await request(app.getHttpServer()).get('/health/ready').expect(503);
    expect(notReady.body).toMatchObject({ status: 'not_ready', down: ['postgres'], dependencies: { postgres: { status: 'down', error: 'connection refused' } } });
    const metrics = await request(app.getHttpServer()).get('/metrics');
    expect(metrics.text).toContain('health_dependency_up{dependency="postgres",service="orders-test"} 0');
    postgresUp = true;
  });

  it('keeps probes and scrapes out of the request histogram', async () => {
    const metrics = await request(app.getHttpServer()).get('/metrics');
    expect(metrics.text).not.toMatch(/route="\/(metrics|health\/ready|health\/live)"/);
    expect(metrics.text).toContain('route="/orders/:id"');
  });
});
