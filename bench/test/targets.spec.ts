import type { BenchResults } from '../src/results';
import type { AddedLatencyResult } from '../src/scenarios/real-path';
import { evaluateTargets } from '../src/targets';

function withAddedLatency(addedLatencyP99Ms: number, offLatencyP99RangeMs: [number, number]): BenchResults {
  const addedLatency = { addedLatencyP99Ms, offLatencyP99RangeMs, addedLatencyP99ByRoundMs: [addedLatencyP99Ms] } as unknown as AddedLatencyResult;
  return {
    startedAt: '2026-12-07T15:02:50.000Z',
    durationSeconds: 840,
    machine: { cpuModel: 'cpu', cpuCores: 2, memoryGiB: 24, nodeVersion: 'v24.22.3', platform: 'linux x64', commit: '43bd6ee' },
    settings: { rounds: 3, runSeconds: 5, warmUpSeconds: 2, soakMinutes: 10 },
    scenarios: { addedLatency },
    targets: [],
  };
}

const addedP99Verdict = (results: BenchResults) => evaluateTargets(results).find((verdict) => verdict.target.startsWith('Added p99'));

describe('the added-p99 target', () => {
  it('is met below 1 ms when the uninstrumented p99 held still between rounds', () => {
    expect(addedP99Verdict(withAddedLatency(0.4, [3.1, 3.6]))).toEqual(expect.objectContaining({ met: true, measured: '0.400 ms' }));
  });

  it('is not judged below 1 ms when the uninstrumented p99 alone moved by 1 ms or more: a negative difference is noise, not a gain', () => {
    expect(addedP99Verdict(withAddedLatency(-4.6, [3.2, 38.1]))).toEqual({
      target: 'Added p99 latency at 1,000 req/s on the real path: < 1 ms',
      measured: '-4.600 ms, not resolvable: the uninstrumented p99 alone moved between 3.20 and 38.10 ms from round to round',
      met: null,
    });
  });

  it('is not met at 1 ms or more, however much the uninstrumented p99 moved', () => {
    expect(addedP99Verdict(withAddedLatency(2.96, [3.2, 38.1]))).toEqual(expect.objectContaining({ met: false, measured: '2.960 ms' }));
    expect(addedP99Verdict(withAddedLatency(1, [3.2, 3.3]))?.met).toBe(false);
  });
});
