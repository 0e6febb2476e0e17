import { ConfigurationError } from '@ai-finance/observability';
import { loadGatewayConfig } from '../src/config';

describe('loadGatewayConfig', () => {
  it('defaults to market-data on http://127.0.0.1:3040 with the shared HTTP client limits', () => {
    expect(loadGatewayConfig({})).toEqual({
      upstreams: { 'market-data': 'http://127.0.0.1:3040' },
      connections: 128,
      connectTimeoutMs: 2_000,
      timeoutMs: 10_000,
    });
  });

  it('reads the upstream URL, pool size and timeouts from the given environment', () => {
    expect(
      loadGatewayConfig({
        MARKET_DATA_URL: 'http://market-data:3040',
        UPSTREAM_CONNECTIONS: '16',
        UPSTREAM_CONNECT_TIMEOUT_MS: '500',
        UPSTREAM_TIMEOUT_MS: '750',
      }),
    ).toEqual({
      upstreams: { 'market-data': 'http://market-data:3040' },
      connections: 16,
      connectTimeoutMs: 500,
      timeoutMs: 750,
    });
  });

  it('rejects a MARKET_DATA_URL that is not a URL with an error naming the variable and the value given', () => {
    const load = () => loadGatewayConfig({ MARKET_DATA_URL: 'not a url' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/MARKET_DATA_URL: .*\(got "not a url"\)/);
  });

  it('rejects UPSTREAM_TIMEOUT_MS=0 with an error naming the variable', () => {
    const load = () => loadGatewayConfig({ UPSTREAM_TIMEOUT_MS: '0' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/UPSTREAM_TIMEOUT_MS: .*\(got "0"\)/);
  });

  it('does not blame a valid variable when another one is invalid', () => {
    let message = '';
    try {
      loadGatewayConfig({ MARKET_DATA_URL: 'http://127.0.0.1:1', UPSTREAM_TIMEOUT_MS: '0' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('UPSTREAM_TIMEOUT_MS');
    expect(message).not.toContain('MARKET_DATA_URL');
  });
});
