import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { promtoolCheckMetrics, sampleValue, scrapeMetrics, startNestApp } from '@ai-finance/testing';
import request from 'supertest';
import { FaultRegistry, ObservabilityModule } from '../src';
import { LogCapture } from './log-capture';

const TOKEN = 'test-fault-token-0123456789abcdef0123';
const ENABLED_ENV = { LOG_LEVEL: 'warn', FAULT_INJECTION_ENABLED: 'true', FAULT_INJECTION_TOKEN: TOKEN };

/** What the test faults' callbacks were asked to do, in order. */
const calls: string[] = [];

/** Registers a parameterised fault and a switch, as a service's faults.ts does. */
@Injectable()
class CheckoutFaults implements OnModuleInit {
  constructor(private readonly registry: FaultRegistry) {}

  onModuleInit(): void {
    this.registry.register({
      name: 'checkout-delay',
      description: 'Adds a delay to every checkout.',
      parameter: { name: 'delayMs', unit: 'ms', integer: true, min: 1, max: 60_000 },
      apply: (value) => void calls.push(`apply checkout-delay ${value}`),
      clear: () => void calls.push('clear checkout-delay'),
    });
    this.registry.register({
      name: 'checkout-stall',
      description: 'Stops checkouts.',
      apply: () => void calls.push('apply checkout-stall'),
      clear: () => void calls.push('clear checkout-stall'),
    });
  }
}

async function startCheckout(env: NodeJS.ProcessEnv, logs = new LogCapture()): Promise<NestFastifyApplication> {
  @Module({ imports: [ObservabilityModule.forRoot({ serviceName: 'checkout', env, logDestination: logs })], providers: [CheckoutFaults] })
  class CheckoutModule {}
  return startNestApp(CheckoutModule);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('fault injection while FAULT_INJECTION_ENABLED is not true', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    calls.length = 0;
    app = await startCheckout({ LOG_LEVEL: 'warn', FAULT_INJECTION_TOKEN: TOKEN });
  });

  afterAll(() => app.close());

  it.each([
    ['GET', '/admin/faults'],
    ['PUT', '/admin/faults/checkout-stall'],
    ['PUT', '/admin/faults/checkout-delay'],
    ['DELETE', '/admin/faults/checkout-stall'],
    ['DELETE', '/admin/faults'],
  ])('answers %s %s with 403 in the shared error shape, even with the right token, and applies nothing', async (method, path) => {
    const body = path.endsWith('checkout-delay') ? { value: 10 } : {};
    const response = await request(app.getHttpServer())[method === 'GET' ? 'get' : method === 'PUT' ? 'put' : 'delete'](path).set(bearer(TOKEN)).send(body);

    expect(response.status).toBe(403);
    expect(response.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'fault injection is disabled on checkout (FAULT_INJECTION_ENABLED is not true)',
      request_id: response.headers['x-request-id'],
    });
    expect(calls).toEqual([]);
  });

  it('refuses to activate a fault even when called directly', async () => {
    await expect(app.get(FaultRegistry).activate('checkout-stall')).rejects.toThrow('fault injection is disabled on checkout');
    expect(calls).toEqual([]);
  });

  it('still exports every registered fault as inactive', async () => {
    const metrics = await scrapeMetrics(app);
    expect(metrics).toContain('fault_injection_active{fault="checkout-delay",service="checkout"} 0');
    expect(metrics).toContain('fault_injection_active{fault="checkout-stall",service="checkout"} 0');
  });
});

describe('fault injection while enabled', () => {
  const logs = new LogCapture();
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());
  const put = (name: string, body?: unknown) => {
    const call = http().put(`/admin/faults/${name}`).set(bearer(TOKEN));
    return body === undefined ? call : call.send(body as object);
  };
  const faultLines = () => logs.records.filter((line) => line.log_type === 'fault_injection');
  const activeGauge = async (fault: string) => sampleValue(await scrapeMetrics(app), 'fault_injection_active', { fault });

  beforeAll(async () => {
    app = await startCheckout(ENABLED_ENV, logs);
  });

  beforeEach(async () => {
    await http().delete('/admin/faults').set(bearer(TOKEN)).expect(200);
    calls.length = 0;
    logs.lines.length = 0;
  });

  afterAll(() => app.close());

  describe('authentication', () => {
    it.each([
      ['no Authorization header', undefined],
      ['a wrong token', `Bearer ${TOKEN.replace(/.$/, 'X')}`],
      ['a token of another length', `Bearer ${TOKEN}0`],
      ['another scheme', `Basic ${TOKEN}`],
      ['the bare token', TOKEN],
    ])('answers 401 with a bearer challenge for %s', async (_case, authorization) => {
      const call = http().get('/admin/faults');
      const response = await (authorization === undefined ? call : call.set('authorization', authorization));

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="fault-injection"');
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'missing or wrong bearer token: send Authorization: Bearer <FAULT_INJECTION_TOKEN>',
        request_id: response.headers['x-request-id'],
      });
    });

    it('applies nothing for a PUT without the token', async () => {
      await http().put('/admin/faults/checkout-stall').send({}).expect(401);
      expect(calls).toEqual([]);
    });
  });

  describe('GET /admin/faults', () => {
    it('lists every registered fault, inactive, with its parameter or null for a switch', async () => {
      const response = await http().get('/admin/faults').set(bearer(TOKEN)).expect(200);
      expect(response.body).toEqual({
        service: 'checkout',
        enabled: true,
        faults: [
          {
            name: 'checkout-delay',
            description: 'Adds a delay to every checkout.',
            parameter: { name: 'delayMs', unit: 'ms', min: 1, max: 60_000 },
            active: false,
            value: null,
            since: null,
          },
          { name: 'checkout-stall', description: 'Stops checkouts.', parameter: null, active: false, value: null, since: null },
        ],
      });
    });
  });

  describe('PUT /admin/faults/:name with a bad body', () => {
    it.each([
      ['no value', 'checkout-delay', {}, 'value is required: checkout-delay takes {"value": <delayMs>}, a whole number from 1 to 60000 (ms)'],
      ['a string', 'checkout-delay', { value: '50' }, 'value must be a whole number from 1 to 60000 (ms); got "50"'],
      ['null', 'checkout-delay', { value: null }, 'value must be a whole number from 1 to 60000 (ms); got null'],
      ['a value below the minimum', 'checkout-delay', { value: 0 }, 'value must be a whole number from 1 to 60000 (ms); got 0'],
      ['a value above the maximum', 'checkout-delay', { value: 60_001 }, 'value must be a whole number from 1 to 60000 (ms); got 60001'],
      ['a fraction for a whole number', 'checkout-delay', { value: 1.5 }, 'value must be a whole number from 1 to 60000 (ms); got 1.5'],
      ['an extra field', 'checkout-delay', { value: 5, percent: 5 }, 'checkout-delay takes only "value": send {"value": <delayMs>}, a whole number from 1 to 60000 (ms)'],
      ['a value for a switch', 'checkout-stall', { value: 1 }, 'checkout-stall is a switch and takes no value: send {}'],
      ['a JSON array', 'checkout-stall', [1], 'the body must be a JSON object'],
    ])('answers 400 for %s, saying what is allowed, and applies nothing', async (_case, name, body, message) => {
      const response = await put(name, body);

      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message, details: [message], request_id: response.headers['x-request-id'] });
      expect(calls).toEqual([]);
      expect(await activeGauge(name)).toBe(0);
    });
  });

  describe('unknown faults', () => {
    it.each([
      ['PUT', () => put('checkout-explode', {})],
      ['DELETE', () => http().delete('/admin/faults/checkout-explode').set(bearer(TOKEN))],
    ])('answers %s with 404 naming the known faults', async (_method, send) => {
      const response = await send();
      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'unknown fault "checkout-explode" on checkout; known faults: checkout-delay, checkout-stall',
        request_id: response.headers['x-request-id'],
      });
    });
  });

  describe('activating and clearing', () => {
    it('activates a parameterised fault, shows it in GET and the gauge, replaces its value on a second PUT, and clears it', async () => {
      const started = Date.now();
      const activated = await put('checkout-delay', { value: 250 }).expect(200);
      expect(activated.body).toEqual({
        name: 'checkout-delay',
        description: 'Adds a delay to every checkout.',
        parameter: { name: 'delayMs', unit: 'ms', min: 1, max: 60_000 },
        active: true,
        value: 250,
        since: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect(Date.parse(activated.body.since)).toBeGreaterThanOrEqual(started - 1);
      const listed = await http().get('/admin/faults').set(bearer(TOKEN)).expect(200);
      expect(listed.body.faults[0]).toEqual(activated.body);
      expect(await activeGauge('checkout-delay')).toBe(1);
      expect(await activeGauge('checkout-stall')).toBe(0);

      const replaced = await put('checkout-delay', { value: 500 }).expect(200);
      expect(replaced.body).toMatchObject({ active: true, value: 500 });

      const cleared = await http().delete('/admin/faults/checkout-delay').set(bearer(TOKEN)).expect(200);
      expect(cleared.body).toMatchObject({ name: 'checkout-delay', active: false, value: null, since: null });
      expect(await activeGauge('checkout-delay')).toBe(0);
      expect(calls).toEqual(['apply checkout-delay 250', 'apply checkout-delay 500', 'clear checkout-delay']);
    });

    it('activates a switch with {} or with no body at all', async () => {
      const withEmptyObject = await put('checkout-stall', {}).expect(200);
      expect(withEmptyObject.body).toMatchObject({ name: 'checkout-stall', parameter: null, active: true, value: null });
      await put('checkout-stall').expect(200);
      expect(calls).toEqual(['apply checkout-stall', 'apply checkout-stall']);
    });

    it('answers 200 for clearing a fault that is not active, without calling its clear', async () => {
      const response = await http().delete('/admin/faults/checkout-stall').set(bearer(TOKEN)).expect(200);
      expect(response.body).toMatchObject({ name: 'checkout-stall', active: false });
      expect(calls).toEqual([]);
    });

    it('clears every active fault with DELETE /admin/faults and names only those that were active', async () => {
      await put('checkout-delay', { value: 5 }).expect(200);
      await put('checkout-stall', {}).expect(200);

      const response = await http().delete('/admin/faults').set(bearer(TOKEN)).expect(200);

      expect(response.body).toEqual({ service: 'checkout', cleared: ['checkout-delay', 'checkout-stall'] });
      expect(calls.slice(2)).toEqual(['clear checkout-delay', 'clear checkout-stall']);
      expect(await activeGauge('checkout-delay')).toBe(0);
      expect(await activeGauge('checkout-stall')).toBe(0);
      const again = await http().delete('/admin/faults').set(bearer(TOKEN)).expect(200);
      expect(again.body).toEqual({ service: 'checkout', cleared: [] });
    });
  });

  describe('telemetry', () => {
    it('logs every change at warn with log_type fault_injection, the fault, its value and the action', async () => {
      await put('checkout-delay', { value: 250 }).expect(200);
      await put('checkout-stall', {}).expect(200);
      await http().delete('/admin/faults/checkout-delay').set(bearer(TOKEN)).expect(200);
      await http().delete('/admin/faults/checkout-delay').set(bearer(TOKEN)).expect(200);

      expect(faultLines()).toEqual([
        expect.objectContaining({ level: 'warn', service_name: 'checkout', fault_name: 'checkout-delay', fault_value: 250, action: 'activated', message: 'fault injected: checkout-delay = 250 ms' }),
        expect.objectContaining({ level: 'warn', fault_name: 'checkout-stall', fault_value: null, action: 'activated', message: 'fault injected: checkout-stall' }),
        expect.objectContaining({ level: 'warn', fault_name: 'checkout-delay', fault_value: null, action: 'cleared', message: 'fault cleared: checkout-delay' }),
      ]);
      expect(faultLines()[0]).toMatchObject({ request_id: expect.any(String) });
    });

    it('exports fault_injection_active in a form promtool accepts without a warning', async () => {
      await put('checkout-stall', {}).expect(200);
      const metrics = await scrapeMetrics(app);
      expect(metrics).toContain('# TYPE fault_injection_active gauge');
      expect(metrics).toContain('fault_injection_active{fault="checkout-stall",service="checkout"} 1');
      expect(promtoolCheckMetrics(metrics)).toEqual({ exitCode: 0, output: '' });
    });
  });
});

describe('fault injection settings at start-up', () => {
  const forRoot = (env: NodeJS.ProcessEnv) => () => ObservabilityModule.forRoot({ serviceName: 'checkout', env });

  it('refuses FAULT_INJECTION_ENABLED=true without a token, naming the variable', () => {
    expect(forRoot({ FAULT_INJECTION_ENABLED: 'true' })).toThrow(
      'FAULT_INJECTION_TOKEN: required when FAULT_INJECTION_ENABLED is true (at least 32 characters) (not set)',
    );
  });

  it('refuses a token shorter than 32 characters without showing it', () => {
    const attempt = forRoot({ FAULT_INJECTION_ENABLED: 'true', FAULT_INJECTION_TOKEN: 'short-secret' });
    expect(attempt).toThrow('FAULT_INJECTION_TOKEN: must be at least 32 characters when FAULT_INJECTION_ENABLED is true (got a value of 12 characters)');
    expect(attempt).not.toThrow(/short-secret/);
  });

  it('refuses a FAULT_INJECTION_ENABLED that is not a boolean, naming the variable', () => {
    expect(forRoot({ FAULT_INJECTION_ENABLED: 'yes' })).toThrow(/FAULT_INJECTION_ENABLED: .*\(got "yes"\)/);
  });

  it('ignores the token while fault injection is off', () => {
    expect(forRoot({ FAULT_INJECTION_TOKEN: 'short' })).not.toThrow();
    expect(forRoot({ FAULT_INJECTION_ENABLED: 'false' })).not.toThrow();
  });
});

describe('FaultRegistry.register', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startCheckout(ENABLED_ENV);
  });

  afterAll(() => app.close());

  it('refuses a name that is not kebab-case, a second fault of one name, and a parameter whose range is empty', () => {
    const registry = app.get(FaultRegistry);
    const noop = () => undefined;
    expect(() => registry.register({ name: 'Checkout_Delay', description: 'x', apply: noop, clear: noop })).toThrow('must be kebab-case');
    expect(() => registry.register({ name: 'checkout-stall', description: 'x', apply: noop, clear: noop })).toThrow('already registered');
    expect(() =>
      registry.register({ name: 'checkout-odd', description: 'x', parameter: { name: 'percent', unit: '%', integer: false, min: 10, max: 1 }, apply: noop, clear: noop }),
    ).toThrow('needs finite min <= max');
  });
});
