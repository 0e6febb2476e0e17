import { evaluateReproducibility } from '../src/reproducibility';
import type { BenchResults } from '../src/results';
import { VARIANT_NAMES } from '../src/variants';

function run(ratios: Record<string, number>, settings = { rounds: 3, runSeconds: 5, warmUpSeconds: 2, soakMinutes: 10 }): BenchResults {
  const variants = Object.fromEntries(VARIANT_NAMES.map((variant) => [variant, { ratioToOff: variant === 'off' ? 1 : ratios[variant] }]));
  return {
    startedAt: '2026-12-07T15:02:50.000Z',
    durationSeconds: 840,
    machine: { cpuModel: 'cpu', cpuCores: 2, memoryGiB: 24, nodeVersion: 'v24.22.3', platform: 'linux x64', commit: '43bd6ee' },
    settings,
    scenarios: { realPath: { variants } as unknown as NonNullable<BenchResults['scenarios']['realPath']> },
    targets: [],
  };
}

const first = run({ library: 0.5, 'library-sampled-10': 0.7, 'stock-otel': 0.4 });

describe('the reproducibility target', () => {
  it('is met when every ratio moved by 5% or less, and names the largest move', () => {
    const verdict = evaluateReproducibility(run({ library: 0.52, 'library-sampled-10': 0.69, 'stock-otel': 0.41 }), first, true);
    expect(verdict.met).toBe(true);
    expect(verdict.measured).toContain('largest change 4.0% (real path, library: 0.50 → 0.52)');
  });

  it('is not met when one ratio moved by more', () => {
    const verdict = evaluateReproducibility(run({ library: 0.5, 'library-sampled-10': 0.6, 'stock-otel': 0.4 }), first, true);
    expect(verdict).toEqual(expect.objectContaining({ met: false, measured: expect.stringContaining('14.3% (real path, library-sampled-10: 0.70 → 0.60)') }));
  });

  it('is not judged without an earlier run, against other service code or other settings', () => {
    const same = run({ library: 0.5, 'library-sampled-10': 0.7, 'stock-otel': 0.4 });
    expect(evaluateReproducibility(same, undefined, true)).toEqual(expect.objectContaining({ met: null, measured: 'not judged: no earlier run to compare with' }));
    expect(evaluateReproducibility(same, first, false).measured).toMatch(/^not judged: .* at 43bd6ee measured other service code$/);
    const longer = run({ library: 0.5, 'library-sampled-10': 0.7, 'stock-otel': 0.4 }, { rounds: 5, runSeconds: 5, warmUpSeconds: 2, soakMinutes: 10 });
    expect(evaluateReproducibility(longer, first, true).measured).toMatch(/used other settings$/);
  });
});
