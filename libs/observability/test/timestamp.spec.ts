import { isoTimestamp } from '../src/logging/timestamp';

describe('isoTimestamp', () => {
  afterEach(() => jest.useRealTimers());

  it('is what Date#toISOString writes, millisecond for millisecond, across seconds, days and years', () => {
    jest.useFakeTimers();
    const starts = [Date.UTC(2026, 11, 7, 23, 59, 58, 990), Date.UTC(2026, 11, 31, 23, 59, 59, 0), Date.UTC(2028, 1, 29, 12, 0, 0, 0)];
    let compared = 0;
    for (const start of starts) {
      for (let now = start; now < start + 2_100; now += 1) {
        jest.setSystemTime(now);
        expect(isoTimestamp()).toBe(new Date(now).toISOString());
        compared++;
      }
    }
    // Back in time (a clock step), and the same millisecond twice.
    for (const now of [Date.UTC(2026, 0, 1, 0, 0, 0, 5), Date.UTC(2026, 0, 1, 0, 0, 0, 5), Date.UTC(2025, 5, 30, 8, 1, 2, 99)]) {
      jest.setSystemTime(now);
      expect(isoTimestamp()).toBe(new Date(now).toISOString());
      compared++;
    }
    expect(compared).toBe(6_303);
  });
});
