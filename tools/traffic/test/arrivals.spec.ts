import { PoissonArrivals } from '../src/arrivals';
import { seededRandom } from '@ai-finance/testing';

describe('the open-loop arrival process', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('brings arrivals at the given mean rate, exponentially spaced, until stopped', () => {
    const arrivalTimes: number[] = [];
    const arrivals = new PoissonArrivals(50, () => arrivalTimes.push(Date.now()), seededRandom(7), () => Date.now());
    const startedAt = Date.now();
    arrivals.start();
    jest.advanceTimersByTime(100_000);
    arrivals.stop();
    jest.advanceTimersByTime(10_000);

    // 5,000 expected; a Poisson count's standard deviation is √5000 ≈ 71, so ±5σ is 355.
    expect(arrivalTimes.length).toBeGreaterThan(5_000 - 355);
    expect(arrivalTimes.length).toBeLessThan(5_000 + 355);
    expect(arrivalTimes.at(-1)!).toBeLessThanOrEqual(startedAt + 100_000);
    // Exponential gaps: about e^-1 ≈ 37 % of them are longer than the mean gap of 20 ms.
    const gaps = arrivalTimes.slice(1).map((time, index) => time - arrivalTimes[index]!);
    const longer = gaps.filter((gap) => gap > 20).length / gaps.length;
    expect(longer).toBeGreaterThan(0.3);
    expect(longer).toBeLessThan(0.44);
  });

  it('does not wait for earlier arrivals: a stalled event loop gets every arrival that fell due meanwhile', () => {
    let count = 0;
    let nowMs = 0;
    const arrivals = new PoissonArrivals(100, () => (count += 1), seededRandom(11), () => nowMs);
    arrivals.start();
    // Ten seconds pass on the clock while the timer that was due after the first gap has not run yet.
    nowMs = 10_000;
    jest.advanceTimersByTime(1_000);
    arrivals.stop();
    // 1,000 expected by the clock's 10 s; ±5σ (σ = √1000 ≈ 32).
    expect(count).toBeGreaterThan(1_000 - 5 * 32);
    expect(count).toBeLessThan(1_000 + 5 * 32);
  });
});
