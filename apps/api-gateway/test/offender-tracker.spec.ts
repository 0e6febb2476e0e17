import { OffenderTracker } from '../src/security/offender-tracker';

describe('OffenderTracker', () => {
  let now = 0;
  const tracker = (maxAddresses = 100) => new OffenderTracker({ windowMs: 5 * 60_000, slices: 5, maxAddresses, now: () => now });

  beforeEach(() => {
    now = 1_000_000_000_000;
  });

  it('names the addresses with most events of a type, most first, apart from other types', () => {
    const offenders = tracker();
    for (let i = 0; i < 7; i++) offenders.record('auth_failure', '203.0.113.9');
    for (let i = 0; i < 3; i++) offenders.record('auth_failure', '198.51.100.4');
    offenders.record('auth_failure', '192.0.2.1');
    offenders.record('rate_limited', '192.0.2.1');
    expect(offenders.top('auth_failure', 2)).toEqual([
      { ipAddress: '203.0.113.9', events: 7 },
      { ipAddress: '198.51.100.4', events: 3 },
    ]);
    expect(offenders.top('rate_limited', 5)).toEqual([{ ipAddress: '192.0.2.1', events: 1 }]);
    expect(offenders.top('invalid_token', 5)).toEqual([]);
  });

  it('counts only the last five minutes: events leave the window a minute at a time', () => {
    const offenders = tracker();
    offenders.record('auth_failure', '203.0.113.9');
    now += 2 * 60_000;
    offenders.record('auth_failure', '203.0.113.9');
    now += 2 * 60_000;
    expect(offenders.top('auth_failure', 1)).toEqual([{ ipAddress: '203.0.113.9', events: 2 }]);
    now += 60_000;
    expect(offenders.top('auth_failure', 1)).toEqual([{ ipAddress: '203.0.113.9', events: 1 }]);
    now += 2 * 60_000;
    expect(offenders.top('auth_failure', 1)).toEqual([]);
  });

  it('remembers a bounded number of addresses, forgetting the one quiet for longest', () => {
    const offenders = tracker(2);
    offenders.record('auth_failure', '192.0.2.1');
    offenders.record('auth_failure', '192.0.2.2');
    offenders.record('auth_failure', '192.0.2.1');
    offenders.record('auth_failure', '192.0.2.3');
    expect(offenders.top('auth_failure', 5).map((offender) => offender.ipAddress)).toEqual(['192.0.2.1', '192.0.2.3']);
  });
});
