import { runTool } from '@ai-finance/testing';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedFiles } from '../src/generate';
import { SLO_SPEC_PATH, WORKSPACE_ROOT } from '../src/paths';
import { BURN_RATE_ALERTS } from '../src/slo-rules';
import { loadSloSpec } from '../src/slo-spec';
import { RULES_DIR, ruleFileNames, rulesIn } from './rule-files';

const TESTS_DIR = join(WORKSPACE_ROOT, 'monitoring/prometheus/tests');

const promtool = (...args: string[]) => runTool('promtool', args, { install: 'prometheus', cwd: WORKSPACE_ROOT });

describe('monitoring rules generated from monitoring/slo/slos.yml', () => {
  const spec = loadSloSpec(SLO_SPEC_PATH);
  const sloRules = rulesIn('slo.yml');
  const runbooks = readdirSync(join(WORKSPACE_ROOT, 'docs/runbooks'));

  it('are checked in exactly as the generator makes them (run `npm run generate:monitoring` after changing the spec)', () => {
    for (const file of generatedFiles()) {
      expect({ path: file.path, upToDate: readFileSync(join(WORKSPACE_ROOT, file.path), 'utf8') === file.content }).toEqual({ path: file.path, upToDate: true });
    }
  });

  it('are loaded by monitoring/prometheus/prometheus.yml, which passes `promtool check config`', () => {
    const result = promtool('check', 'config', join(WORKSPACE_ROOT, 'monitoring/prometheus/prometheus.yml'));
    expect({ status: result.status, output: result.status === 0 ? '' : result.output }).toEqual({ status: 0, output: '' });
    expect(result.output).toContain(`SUCCESS: ${ruleFileNames().length} rule files found`);
  });

  it('pass `promtool check rules`, every rule file', () => {
    for (const file of ruleFileNames()) {
      const result = promtool('check', 'rules', join(RULES_DIR, file));
      expect({ file, status: result.status, output: result.status === 0 ? '' : result.output }).toEqual({ file, status: 0, output: '' });
    }
  });

  it('pass their promtool unit tests, where each alert fires in one case and stays silent in a close one', () => {
    const tests = readdirSync(TESTS_DIR).filter((name) => name.endsWith('.yml'));
    expect(tests.length).toBeGreaterThan(0);
    const result = promtool('test', 'rules', ...tests.map((name) => join(TESTS_DIR, name)));
    expect({ status: result.status, output: result.status === 0 ? 'SUCCESS' : result.output }).toEqual({ status: 0, output: 'SUCCESS' });
  });

  it('use the SRE Workbook burn rates and windows: 14.4 over 1h and 5m (critical), 6 over 6h and 30m (warning)', () => {
    expect(BURN_RATE_ALERTS.map(({ alert, burnRate, longWindow, shortWindow, severity }) => ({ alert, burnRate, longWindow, shortWindow, severity }))).toEqual([
      { alert: 'ErrorBudgetFastBurn', burnRate: '14.4', longWindow: '1h', shortWindow: '5m', severity: 'critical' },
      { alert: 'ErrorBudgetSlowBurn', burnRate: '6', longWindow: '6h', shortWindow: '30m', severity: 'warning' },
    ]);
    const fast = sloRules.find((rule) => rule.alert === 'ErrorBudgetFastBurn' && rule.labels?.service === 'payment' && rule.labels.slo === 'availability');
    expect(fast?.expr).toBe(
      [
        'slo:sli_error:ratio_rate1h{service="payment",slo="availability"} > (14.4 * 0.0005)',
        'and slo:sli_error:ratio_rate5m{service="payment",slo="availability"} > (14.4 * 0.0005)',
        'and slo:sli_requests:increase1h{service="payment",slo="availability"} > (1 / (14.4 * 0.0005))',
      ].join('\n'),
    );
  });

  it('give every SLO of every service in the spec both burn-rate alerts, and name only the ten services', () => {
    const services = readdirSync(join(WORKSPACE_ROOT, 'apps')).sort();
    expect(spec.services.map((entry) => entry.service).sort()).toEqual(services);
    const alerts = sloRules.filter((rule) => rule.alert);
    for (const entry of spec.services) {
      for (const slo of ['availability', 'latency']) {
        const names = alerts.filter((rule) => rule.labels?.service === entry.service && rule.labels.slo === slo).map((rule) => rule.alert);
        expect({ service: entry.service, slo, names }).toEqual({ service: entry.service, slo, names: ['ErrorBudgetFastBurn', 'ErrorBudgetSlowBurn', 'SLOBreach'] });
      }
    }
  });

  it("give every service a HighErrorRate at its error-rate SLO and a SlowResponses at its latency threshold, from the spec", () => {
    for (const entry of spec.services) {
      const errorRate = sloRules.filter((rule) => rule.alert === 'HighErrorRate' && rule.labels?.service === entry.service);
      const slow = sloRules.filter((rule) => rule.alert === 'SlowResponses' && rule.labels?.service === entry.service);
      expect({ service: entry.service, errorRateRules: errorRate.length, slowRules: slow.length }).toEqual({ service: entry.service, errorRateRules: 1, slowRules: 1 });
      const ratioThreshold = /> 0\) > ([0-9.]+)\n/.exec(errorRate[0].expr)?.[1];
      expect({ service: entry.service, ratioThreshold: Number(ratioThreshold) * 100, severity: errorRate[0].labels?.severity }).toEqual({
        service: entry.service,
        ratioThreshold: expect.closeTo(entry.errorRateThreshold, 10),
        severity: entry.errorRateSeverity,
      });
      expect({ service: entry.service, latencyThreshold: Number(/\) > ([0-9.]+)$/.exec(slow[0].expr)?.[1]) }).toEqual({
        service: entry.service,
        latencyThreshold: entry.latency.thresholdSeconds,
      });
    }
    expect(spec.services.filter((entry) => entry.errorRateSeverity === 'critical').map((entry) => entry.service)).toEqual(['payment', 'trading']);
  });

  it('label and annotate every alert for routing and for the person on call, with a runbook that exists in docs/runbooks', () => {
    for (const file of ruleFileNames()) {
      for (const rule of rulesIn(file).filter((candidate) => candidate.alert)) {
        const where = `${file}: ${rule.alert}`;
        expect({ where, severity: ['critical', 'warning', 'info'].includes(rule.labels?.severity ?? '') }).toEqual({ where, severity: true });
        expect({ where, category: ['slo', 'availability', 'infrastructure', 'business', 'security'].includes(rule.labels?.category ?? '') }).toEqual({ where, category: true });
        expect({ where, annotations: Object.keys(rule.annotations ?? {}).sort() }).toEqual({ where, annotations: ['dashboard_url', 'description', 'runbook_url', 'summary'] });
        const runbook = /\/docs\/runbooks\/([A-Za-z]+)\.md$/.exec(rule.annotations?.runbook_url ?? '');
        expect({ where, runbookFor: runbook?.[1] }).toEqual({ where, runbookFor: rule.alert });
        expect({ where, runbookExists: runbooks.includes(`${rule.alert}.md`) }).toEqual({ where, runbookExists: true });
      }
    }
  });

  describe('the SLO spec', () => {
    let dir: string;
    const specWith = (text: string) => {
      const path = join(dir, 'slos.yml');
      writeFileSync(path, text);
      return () => loadSloSpec(path);
    };
    const entry = (threshold: number, service = 'payment') =>
      `  - service: ${service}\n    availability: { objective: 99.9 }\n    latency: { objective: 95, thresholdSeconds: ${threshold} }\n    errorRateThreshold: 1\n`;
    const header = 'window: 30d\nrunbookBaseUrl: https://runbooks.example/docs/runbooks\ndashboardBaseUrl: http://localhost:3001/d\nservices:\n';

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'slo-spec-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses a latency threshold that is not a bucket bound of the request histogram, naming the field', () => {
      expect(specWith(header + entry(0.3))).toThrow(/services\.0\.latency\.thresholdSeconds: must be a bucket bound/);
    });

    it('refuses a service listed twice', () => {
      expect(specWith(header + entry(1) + entry(1))).toThrow(/services\.1\.service: payment is listed twice/);
    });

    it('refuses an objective of 100% (no budget at all) and unknown fields', () => {
      expect(specWith(header + entry(1).replace('99.9', '100'))).toThrow(/services\.0\.availability\.objective/);
      expect(specWith(`${header}${entry(1)}    owner: team-x\n`)).toThrow(/Unrecognized key/);
    });
  });
});
