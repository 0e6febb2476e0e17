import { ConfigurationError } from '@ai-finance/observability';
import { loadGatewayConfig } from '../src/config';

const SECRET = 'k'.repeat(40);

describe('loadGatewayConfig', () => {
  it('defaults every upstream to its local port, Redis to the local server, and the documented rate limits', () => {
    const config = loadGatewayConfig({ JWT_SECRET: SECRET });
    expect(config.upstreams).toEqual({
      'user-management': 'http://127.0.0.1:3010',
      payment: 'http://127.0.0.1:3020',
      trading: 'http://127.0.0.1:3030',
      'market-data': 'http://127.0.0.1:3040',
      signals: 'http://127.0.0.1:3050',
      portfolio: 'http://127.0.0.1:3060',
      risk: 'http://127.0.0.1:3070',
      notification: 'http://127.0.0.1:3080',
      audit: 'http://127.0.0.1:3090',
    });
    expect(config).toMatchObject({
      connections: 128,
      connectTimeoutMs: 2_000,
      timeoutMs: 10_000,
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: 'api-gateway:',
      rateLimits: { windowSeconds: 60, perIp: 1_200, perUser: 600, authPerIp: 30 },
    });
  });

  it('reads upstream URLs, pool size, timeouts and limits from the given environment', () => {
    const config = loadGatewayConfig({
      JWT_SECRET: SECRET,
      MARKET_DATA_URL: 'http://market-data:3040',
      PAYMENT_URL: 'http://payment:3020',
      UPSTREAM_CONNECTIONS: '16',
      UPSTREAM_CONNECT_TIMEOUT_MS: '500',
      UPSTREAM_TIMEOUT_MS: '750',
      RATE_LIMIT_PER_IP: '10',
      RATE_LIMIT_AUTH_PER_IP: '3',
    });
    expect(config.upstreams['market-data']).toBe('http://market-data:3040');
    expect(config.upstreams.payment).toBe('http://payment:3020');
    expect(config).toMatchObject({ connections: 16, connectTimeoutMs: 500, timeoutMs: 750, rateLimits: { perIp: 10, authPerIp: 3 } });
  });

  it('refuses to start without JWT_SECRET, naming it', () => {
    expect(() => loadGatewayConfig({})).toThrow(/JWT_SECRET: .*required.*\(not set\)/);
  });

  it('rejects a short JWT_SECRET without repeating its value', () => {
    const load = () => loadGatewayConfig({ JWT_SECRET: 'short-secret-value' });
    expect(load).toThrow(/JWT_SECRET: must be at least 32 characters \(got a value of 18 characters\)/);
    expect(load).not.toThrow(/short-secret-value/);
  });

  it('rejects a MARKET_DATA_URL that is not a URL with an error naming the variable and the value given', () => {
    const load = () => loadGatewayConfig({ JWT_SECRET: SECRET, MARKET_DATA_URL: 'not a url' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/MARKET_DATA_URL: .*\(got "not a url"\)/);
  });

  it('rejects UPSTREAM_TIMEOUT_MS=0 with an error naming the variable', () => {
    expect(() => loadGatewayConfig({ JWT_SECRET: SECRET, UPSTREAM_TIMEOUT_MS: '0' })).toThrow(/UPSTREAM_TIMEOUT_MS: .*\(got "0"\)/);
  });

  it('does not blame a valid variable when another one is invalid', () => {
    let message = '';
    try {
      loadGatewayConfig({ JWT_SECRET: SECRET, MARKET_DATA_URL: 'http://127.0.0.1:1', UPSTREAM_TIMEOUT_MS: '0' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('UPSTREAM_TIMEOUT_MS');
    expect(message).not.toContain('MARKET_DATA_URL');
  });
});
