import { REDACTED } from '../src/logging/redaction';
import { RememberedRedaction } from '../src/logging/remembered-redaction';

describe('RememberedRedaction', () => {
  it('redacts as redactString does, the first time and every time after', () => {
    const redaction = new RememberedRedaction();
    const cases: Array<[string, string]> = [
      ['/api/cards/4111111111111111/limits', '/api/cards/****1111/limits'],
      ['curl/8.5 Bearer abc.def-ghi', `curl/8.5 Bearer ${REDACTED}`],
      ['/api/market/quotes/AAPL', '/api/market/quotes/AAPL'],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [value, redacted] of cases) expect(redaction.redact(value)).toBe(redacted);
    }
    expect(redaction.size).toBe(3);
  });

  it('keeps at most its bound of values, and none longer than its bound of characters, yet redacts them all', () => {
    const redaction = new RememberedRedaction(100, 64);
    for (let i = 0; i < 1_000; i++) {
      expect(redaction.redact(`/api/orders/${i}`)).toBe(`/api/orders/${i}`);
      expect(redaction.size).toBeLessThanOrEqual(100);
    }
    const long = `/api/cards/4111111111111111/${'x'.repeat(64)}`;
    const sizeBefore = redaction.size;
    expect(redaction.redact(long)).toBe(`/api/cards/****1111/${'x'.repeat(64)}`);
    expect(redaction.size).toBe(sizeBefore);
  });
});
