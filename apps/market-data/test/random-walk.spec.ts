import fc from 'fast-check';
import { seededRandom } from '@ai-finance/testing';
import { formatCents, parseCents, quoteOf } from '../src/quotes/quote';
import { halfSpreadCents, nextPriceCents, standardNormal } from '../src/quotes/random-walk';

const SECONDS_PER_YEAR = 365 * 24 * 3600;

// The domain the feed may be configured with: MARKET_VOLATILITY is in (0, 5], a tick lasts at most an hour.
const priceCents = fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 1_000_000_000_000 }));
const volatility = fc.double({ min: 0, max: 5, minExcluded: true, noNaN: true });
const stepSeconds = fc.double({ min: 0, max: 3600, minExcluded: true, noNaN: true });
const shock = fc.double({ min: -10, max: 10, noNaN: true });

describe('nextPriceCents', () => {
  it('always returns a positive whole number of cents, even for a -10 sigma shock on a one-cent price', () => {
    fc.assert(
      fc.property(priceCents, volatility, stepSeconds, shock, (current, sigma, step, z) => {
        const next = nextPriceCents(current, sigma, step, z);
        return Number.isSafeInteger(next) && next >= 1;
      }),
    );
  });

  it('stays within one cent of the previous price when the shock is 0 (prices up to $100,000, volatility up to 100%, ticks up to 1 s)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, minExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, minExcluded: true, noNaN: true }),
        (current, sigma, step) => Math.abs(nextPriceCents(current, sigma, step, 0) - current) <= 1,
      ),
    );
  });

  it('with shock 0 never rises and falls by no more than the -sigma^2/2 drift correction plus one cent of rounding', () => {
    fc.assert(
      fc.property(priceCents, volatility, stepSeconds, (current, sigma, step) => {
        const next = nextPriceCents(current, sigma, step, 0);
        const driftCents = current * 0.5 * sigma ** 2 * (step / SECONDS_PER_YEAR);
        return next <= current && current - next <= Math.ceil(driftCents) + 1;
      }),
    );
  });

  it('keeps a one-cent floor when a move far beyond the feed settings would round the price to zero', () => {
    // A year in one step at 500% volatility and a -10 sigma shock multiplies the price by about e^-62.5.
    expect(nextPriceCents(1, 5, SECONDS_PER_YEAR, -10)).toBe(1);
    expect(nextPriceCents(1_000_000, 5, SECONDS_PER_YEAR, -10)).toBe(1);
  });

  it('moves up for a positive shock and down for a negative one on a liquid price', () => {
    // $1,000 at 40% volatility over a one-hour step: a 3 sigma shock is worth about $12.8.
    expect(nextPriceCents(100_000, 0.4, 3600, 3)).toBeGreaterThan(100_000);
    expect(nextPriceCents(100_000, 0.4, 3600, -3)).toBeLessThan(100_000);
  });
});

describe('standardNormal', () => {
  it('has mean near 0 and variance near 1 over 20,000 seeded draws', () => {
    const random = seededRandom(20_240_601);
    const draws = Array.from({ length: 20_000 }, () => standardNormal(random));
    const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
    const variance = draws.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (draws.length - 1);

    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('returns a finite number for every value Math.random can produce, including 0', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (u, v) => {
        const values = [u, v];
        return Number.isFinite(standardNormal(() => values.shift() ?? 0));
      }),
      { examples: [[0, 0], [0, 0.25], [0.9999999999999999, 0.5]] },
    );
  });
});

describe('halfSpreadCents', () => {
  it('is a whole number of at least one cent for every positive price', () => {
    fc.assert(fc.property(priceCents, (price) => Number.isInteger(halfSpreadCents(price)) && halfSpreadCents(price) >= 1));
  });

  it('is two basis points of the price once that exceeds a cent', () => {
    expect(halfSpreadCents(18_950)).toBe(4); // $189.50 -> 3.79 cents, rounded
    expect(halfSpreadCents(6_725_000)).toBe(1_345); // $67,250.00
  });
});

describe('formatCents and parseCents', () => {
  it.each([
    [18_963, '189.63'],
    [5, '0.05'],
    [100, '1.00'],
    [0, '0.00'],
    [6_725_000, '67250.00'],
  ])('formats %i cents as "%s" and parses it back', (cents, decimal) => {
    expect(formatCents(cents)).toBe(decimal);
    expect(parseCents(decimal)).toBe(cents);
  });

  it('round-trips every whole number of cents through its decimal string', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000_000_000 }), (cents) => parseCents(formatCents(cents)) === cents));
  });
});

describe('quoteOf', () => {
  const at = new Date('2024-06-01T12:00:00.000Z');
  const decimal = /^\d+\.\d{2}$/;

  it('quotes AAPL at 189.63 with a two-basis-point spread on either side', () => {
    expect(quoteOf('AAPL', 18_963, 7, at)).toEqual({
      symbol: 'AAPL',
      price: '189.63',
      bid: '189.59',
      ask: '189.67',
      currency: 'USD',
      sequence: 7,
      timestamp: '2024-06-01T12:00:00.000Z',
    });
  });

  it('gives bid < price < ask, all as two-decimal strings, for every price of two cents or more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1_000_000_000_000 }), (price) => {
        const quote = quoteOf('X', price, 1, at);
        return (
          decimal.test(quote.price) &&
          decimal.test(quote.bid) &&
          decimal.test(quote.ask) &&
          parseCents(quote.bid) < parseCents(quote.price) &&
          parseCents(quote.price) < parseCents(quote.ask)
        );
      }),
    );
  });

  it('never bids below one cent: a one-cent price quotes bid 0.01 and ask 0.02', () => {
    expect(quoteOf('X', 1, 1, at)).toMatchObject({ price: '0.01', bid: '0.01', ask: '0.02' });
  });
});
