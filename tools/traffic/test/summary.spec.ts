import { RequestStats } from '../src/request-stats';
import { addOutcomes, countOutcomes, summarizeRequests } from '../src/summary';

describe('the summary arithmetic', () => {
  it('sorts statuses into 2xx, 4xx, 5xx and others, and counts requests without an answer apart', () => {
    const statuses = new Map([
      [200, 5],
      [201, 2],
      [402, 1],
      [404, 3],
      [502, 4],
      [304, 1],
    ]);
    expect(countOutcomes(statuses, 6)).toEqual({ requests: 22, ok: 7, clientErrors: 4, serverErrors: 4, networkErrors: 6, otherStatuses: 1 });
  });

  it('adds outcome counts field by field', () => {
    const a = { requests: 10, ok: 7, clientErrors: 1, serverErrors: 1, networkErrors: 1, otherStatuses: 0 };
    const b = { requests: 4, ok: 1, clientErrors: 0, serverErrors: 2, networkErrors: 0, otherStatuses: 1 };
    expect(addOutcomes(a, b)).toEqual({ requests: 14, ok: 8, clientErrors: 1, serverErrors: 3, networkErrors: 1, otherStatuses: 1 });
  });

  it('has one line per action requested, in the table order, whose sums are the total', () => {
    const stats = new RequestStats(() => 0, 0);
    for (let i = 1; i <= 100; i += 1) stats.record('market.quotes', 200, i);
    stats.record('payments.pay', 201, 40);
    stats.record('payments.pay', 402, 30);
    stats.record('payments.pay', 'network', 10_000, 'connect ECONNREFUSED 127.0.0.1:3000');
    stats.record('users.register', 201, 200);
    stats.record('trading.place_order', 503, 15);

    const { actions, total } = summarizeRequests(stats);
    expect(actions.map((action) => [action.action, action.group])).toEqual([
      ['users.register', 'session'],
      ['market.quotes', 'quotes'],
      ['trading.place_order', 'orders'],
      ['payments.pay', 'payments'],
    ]);
    const payments = actions.find((action) => action.action === 'payments.pay')!;
    expect(payments).toMatchObject({ requests: 3, ok: 1, clientErrors: 1, serverErrors: 0, networkErrors: 1, statuses: { '201': 1, '402': 1 } });
    for (const field of ['requests', 'ok', 'clientErrors', 'serverErrors', 'networkErrors', 'otherStatuses'] as const) {
      expect({ field, total: total[field] }).toEqual({ field, total: actions.reduce((sum, action) => sum + action[field], 0) });
    }
    expect(total).toMatchObject({ requests: 105, ok: 102, clientErrors: 1, serverErrors: 1, networkErrors: 1, statuses: { '200': 100, '201': 2, '402': 1, '503': 1 } });
    expect(stats.networkErrorSamples).toEqual(new Set(['connect ECONNREFUSED 127.0.0.1:3000']));
  });

  it('reports latency percentiles from the histograms, in milliseconds', () => {
    const stats = new RequestStats(() => 0, 0);
    for (let i = 1; i <= 100; i += 1) stats.record('market.quotes', 200, i);
    const quotes = summarizeRequests(stats).actions[0]!;
    // The histogram keeps three significant figures, so each percentile is within 0.1 % of the exact one.
    expect(quotes.latency!.p50Ms).toBeCloseTo(50, 0);
    expect(quotes.latency!.p95Ms).toBeCloseTo(95, 0);
    expect(quotes.latency!.p99Ms).toBeCloseTo(99, 0);
    expect(quotes.latency!.maxMs).toBeCloseTo(100, 0);
  });

  it('keeps a sliding window of the last ten seconds for the progress line', () => {
    let nowMs = 0;
    const stats = new RequestStats(() => nowMs, 0);
    for (let second = 0; second < 15; second += 1) {
      nowMs = second * 1000 + 500;
      for (let i = 0; i <= second; i += 1) stats.record('users.profile', 200, second + 1);
    }
    const recent = stats.recentWindow();
    // Seconds 5 to 14: 6 + 7 + ... + 15 requests, over 9.5 s (nine whole seconds and half of the current one).
    expect(recent.requests).toBe(105);
    expect(recent.spanMs).toBe(9500);
    // In microseconds, to the histogram's three significant figures.
    expect(Math.round(recent.latency.min / 1000)).toBe(6);
    expect(Math.round(recent.latency.max / 1000)).toBe(15);
  });
});
