import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchOptionsError, parseBenchOptions } from '../src/options';
import { withResults } from '../src/report';
import { runBench } from '../src/run-bench';
import { VARIANT_NAMES } from '../src/variants';

// A tiny run of real processes on 127.0.0.1 that keeps `npm run bench` working. It asserts that every
// figure was measured and written, never what it is: figures come from `npm run bench` alone.
describe('the benchmark harness', () => {
  const folder = mkdtempSync(join(tmpdir(), 'bench-test-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('measures the trivial route in all four variants and the log pipeline, and writes the results file', async () => {
    const resultsFile = join(folder, 'latest.json');
    const options = parseBenchOptions(['--scenarios', 'trivial,logging', '--rounds', '1', '--run-seconds', '1', '--warm-up-seconds', '0.5', '--results', resultsFile, '--no-doc']);
    const messages: string[] = [];
    await runBench(options, (message) => messages.push(message));

    const written = JSON.parse(readFileSync(resultsFile, 'utf8'));
    expect(Object.keys(written.scenarios).sort()).toEqual(['logging', 'trivialRoute']);
    for (const variant of VARIANT_NAMES) {
      const figures = written.scenarios.trivialRoute.variants[variant];
      expect({ variant, requests: figures.requests > 0, ratio: figures.ratioToOff > 0, cpu: figures.cpuMsPerRequest > 0, non2xx: figures.non2xxResponses }).toEqual({
        variant,
        requests: true,
        ratio: true,
        cpu: true,
        non2xx: 0,
      });
    }
    expect(written.scenarios.trivialRoute.variants.off.ratioToOff).toBe(1);
    expect(written.scenarios.trivialRoute.spansExported).toBeGreaterThan(0);
    expect(written.scenarios.logging.stdoutOnly.linesPerSecond).toBeGreaterThan(0);
    // Within one second a hung Elasticsearch has not timed out yet: the count is reported, not yet raised.
    expect(written.scenarios.logging.pacedElasticsearchHung.recordsDroppedForElasticsearch).toEqual(expect.any(Number));
    // The delay beyond the probe's 10 ms sampling interval, which an idle loop reads as 0.
    expect(written.scenarios.logging.pacedElasticsearchHung.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
    expect(written.targets.map((verdict: { target: string }) => verdict.target)).toEqual([expect.stringContaining('Trivial route'), expect.stringContaining('Reproducible')]);
    // The folder held no earlier run: there is nothing to be reproducible against.
    expect(written.targets[1]).toEqual(expect.objectContaining({ met: null, measured: 'not judged: no earlier run to compare with' }));
    expect(written.machine.nodeVersion).toBe(process.version);
    expect(JSON.parse(readFileSync(join(folder, `node${process.versions.node.split('.')[0]}.json`), 'utf8'))).toEqual(written);
    expect(messages.length).toBeGreaterThan(0);
  });

  it('rewrites only the measured section of docs/performance.md', () => {
    const results = { startedAt: '2026-01-01T00:00:00.000Z', durationSeconds: 60, machine: { cpuModel: 'cpu', cpuCores: 2, memoryGiB: 4, nodeVersion: 'v20', platform: 'linux', commit: 'abc' }, settings: { rounds: 1, runSeconds: 1, warmUpSeconds: 1, soakMinutes: 1 }, scenarios: {}, targets: [{ target: 'T', measured: 'M', met: true }] };
    const first = withResults('# Performance\n\nWhy and how.\n', results);
    const second = withResults(`${first}\nA closing paragraph.\n`, { ...results, targets: [{ target: 'T', measured: 'N', met: false }] });
    expect(second).toContain('Why and how.');
    expect(second).toContain('A closing paragraph.');
    expect(second).toContain('| T | N | **no** |');
    expect(second).not.toContain('| T | M | yes |');
  });

  it('keeps one measured section per Node.js major: a run on 24 leaves the section of 20 alone', () => {
    const on20 = { startedAt: '2026-01-01T00:00:00.000Z', durationSeconds: 60, machine: { cpuModel: 'cpu', cpuCores: 2, memoryGiB: 4, nodeVersion: 'v20.20.2', platform: 'linux', commit: 'abc' }, settings: { rounds: 1, runSeconds: 1, warmUpSeconds: 1, soakMinutes: 1 }, scenarios: {}, targets: [{ target: 'T', measured: 'on 20', met: true }] };
    const on24 = { ...on20, machine: { ...on20.machine, nodeVersion: 'v24.22.3' }, targets: [{ target: 'T', measured: 'on 24', met: false }] };
    const both = withResults(withResults('# Performance\n', on20), on24);
    expect(both.indexOf('### Node 20')).toBeGreaterThan(-1);
    expect(both.indexOf('### Node 24')).toBeGreaterThan(both.indexOf('### Node 20'));
    const again = withResults(both, { ...on20, targets: [{ target: 'T', measured: 'on 20 again', met: true }] });
    expect(again).toContain('| T | on 20 again | yes |');
    expect(again).toContain('| T | on 24 | **no** |');
    expect(again).not.toContain('| T | on 20 | yes |');
  });

  it('refuses unknown scenarios and bad numbers with a message that names the option', () => {
    expect(() => parseBenchOptions(['--scenarios', 'trivial,everything'])).toThrow(new BenchOptionsError('--scenarios takes trivial, real-path, platform, logging (unknown: everything)'));
    expect(() => parseBenchOptions(['--rounds', '1.5'])).toThrow(/--rounds must be a whole number/);
    expect(() => parseBenchOptions(['--run-seconds=-1'])).toThrow(/--run-seconds must be a positive number/);
    expect(() => parseBenchOptions(['--unknown'])).toThrow(BenchOptionsError);
  });
});
