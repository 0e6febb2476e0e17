import { createServiceLogger, PeriodicRefresh, RequestContext } from '../src';
import { waitFor } from '@ai-finance/testing';
import { LogCapture } from './log-capture';

describe('PeriodicRefresh', () => {
  const capture = new LogCapture();
  const logger = createServiceLogger({ serviceName: 'refresh-test', level: 'warn', destination: capture });

  it('runs once before start() resolves, then on its interval, and stops running after stop()', async () => {
    let runs = 0;
    const refresh = new PeriodicRefresh(async () => {
      runs += 1;
    }, { intervalMs: 20, failureMessage: 'never', logger });
    await refresh.start();
    expect(runs).toBe(1);
    await waitFor('two more runs on the interval', () => (runs >= 3 ? true : undefined), 5_000, 10);
    await refresh.stop();
    const afterStop = runs;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(runs).toBe(afterStop);
  });

  it('joins a run under way instead of starting a second one at the same time', async () => {
    let concurrent = 0;
    let most = 0;
    const refresh = new PeriodicRefresh(async () => {
      concurrent += 1;
      most = Math.max(most, concurrent);
      await new Promise((resolve) => setTimeout(resolve, 30));
      concurrent -= 1;
    }, { intervalMs: 60_000, failureMessage: 'never', logger });
    await Promise.all([refresh.run(), refresh.run(), refresh.run()]);
    expect(most).toBe(1);
  });

  it('logs a failed run with its message and tries again next time', async () => {
    let calls = 0;
    const refresh = new PeriodicRefresh(async () => {
      calls += 1;
      if (calls === 1) throw new Error('database is away');
    }, { intervalMs: 60_000, failureMessage: 'could not refresh the gauges', logger });
    await expect(refresh.run()).resolves.toBeUndefined();
    await refresh.run();
    expect(calls).toBe(2);
    expect(capture.records).toContainEqual(expect.objectContaining({ level: 'warn', message: 'could not refresh the gauges' }));
  });

  it('runs its scheduled work outside the request that started it', async () => {
    const seen: Array<string | undefined> = [];
    const refresh = new PeriodicRefresh(async () => {
      seen.push(RequestContext.current()?.requestId);
    }, { intervalMs: 10, failureMessage: 'never', logger });
    await RequestContext.run({ requestId: 'request-that-started-it' }, () => refresh.start());
    await waitFor('a scheduled run', () => (seen.length >= 2 ? true : undefined), 5_000, 10);
    await refresh.stop();
    expect(seen[0]).toBe('request-that-started-it');
    expect(seen.slice(1).length).toBeGreaterThan(0);
    expect(seen.slice(1).every((requestId) => requestId === undefined)).toBe(true);
  });
});
