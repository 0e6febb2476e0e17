import { ConfigurationError } from '@ai-finance/observability';
import { errorThrownBy } from '@ai-finance/testing';
import { loadMarketDataConfig } from '../src/config';

const errorOf = (load: () => unknown): Error => errorThrownBy(load, 'loadMarketDataConfig');

describe('loadMarketDataConfig', () => {
  it('uses local Redis, a one-second tick, 40% volatility and ten instruments when nothing is set', () => {
    const config = loadMarketDataConfig({});

    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: 'market-data:',
      tickIntervalMs: 1_000,
      volatility: 0.4,
    });
    expect(config.instruments).toHaveLength(10);
    expect(config.instruments[0]).toEqual({ symbol: 'AAPL', initialPriceCents: 18_950 });
    expect(config.instruments).toContainEqual({ symbol: 'BTC-USD', initialPriceCents: 6_725_000 });
  });

  it('parses MARKET_INSTRUMENTS="AAPL:10.5,MSFT:20" into two instruments priced in cents', () => {
    expect(loadMarketDataConfig({ MARKET_INSTRUMENTS: 'AAPL:10.5,MSFT:20' }).instruments).toEqual([
      { symbol: 'AAPL', initialPriceCents: 1_050 },
      { symbol: 'MSFT', initialPriceCents: 2_000 },
    ]);
  });

  it('ignores blanks around and between MARKET_INSTRUMENTS entries', () => {
    expect(loadMarketDataConfig({ MARKET_INSTRUMENTS: ' AAPL:1.99 , ,SPY:565.40, ' }).instruments).toEqual([
      { symbol: 'AAPL', initialPriceCents: 199 },
      { symbol: 'SPY', initialPriceCents: 56_540 },
    ]);
  });

  it.each([
    ['a negative price', 'AAPL:-1'],
    ['a zero price', 'AAPL:0'],
    ['a lower-case symbol', 'lower:10'],
    ['a missing price', 'AAPL'],
    ['a price that is not a number', 'AAPL:ten'],
    ['one bad entry among good ones', 'AAPL:10,MSFT:-5'],
    ['an entry with a third part', 'AAPL:10:20'],
    ['a symbol listed twice', 'AAPL:10,AAPL:20'],
  ])('rejects %s in MARKET_INSTRUMENTS (%s) with an error naming the variable and the entry', (_case, value) => {
    const error = errorOf(() => loadMarketDataConfig({ MARKET_INSTRUMENTS: value }));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('MARKET_INSTRUMENTS');
    expect(error.message).toContain(`(got "${value}")`);
  });

  it('rejects a MARKET_INSTRUMENTS with no entries at all', () => {
    const error = errorOf(() => loadMarketDataConfig({ MARKET_INSTRUMENTS: ' , ' }));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/MARKET_INSTRUMENTS: at least one SYMBOL:PRICE is needed/);
  });

  it.each(['abc', '0', '-50', '1.5'])('rejects MARKET_TICK_INTERVAL_MS="%s" with an error naming that variable only', (value) => {
    const error = errorOf(() => loadMarketDataConfig({ MARKET_TICK_INTERVAL_MS: value }));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(new RegExp(`MARKET_TICK_INTERVAL_MS: .*\\(got "${value.replace('.', '\\.')}"\\)`));
    expect(error.message).not.toContain('MARKET_INSTRUMENTS');
  });

  it('reads every other setting from the given environment', () => {
    expect(
      loadMarketDataConfig({
        REDIS_URL: 'redis://redis:6380',
        REDIS_KEY_PREFIX: 'md-test:',
        MARKET_TICK_INTERVAL_MS: '250',
        MARKET_VOLATILITY: '1.2',
      }),
    ).toMatchObject({
      redisUrl: 'redis://redis:6380',
      redisKeyPrefix: 'md-test:',
      tickIntervalMs: 250,
      volatility: 1.2,
    });
  });
});
