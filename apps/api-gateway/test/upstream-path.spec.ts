import { upstreamPath } from '../src/proxy/upstream-path';

describe('upstreamPath', () => {
  it('strips the gateway prefix and keeps the rest of the path and its query string', () => {
    expect(upstreamPath('/api/market', '/api/market/quotes/AAPL?x=1')).toBe('/quotes/AAPL?x=1');
  });

  it('maps the bare prefix to the upstream root path', () => {
    expect(upstreamPath('/api/market', '/api/market')).toBe('/');
  });

  it('keeps a query string sent on the bare prefix, as a query on the upstream root', () => {
    expect(upstreamPath('/api/market', '/api/market?x=1')).toBe('/?x=1');
  });

  it('throws, naming the URL and the prefix, when the URL is not under the prefix', () => {
    expect(() => upstreamPath('/api/market', '/api/payments/42')).toThrow('/api/payments/42 is not under /api/market');
  });

  it('throws for a path that merely starts with the same letters as the prefix', () => {
    expect(() => upstreamPath('/api/market', '/api/marketing/x')).toThrow('/api/marketing/x is not under /api/market');
  });
});
