import { runTool } from '@ai-finance/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { SLO_RULES_PATH, sloRulesFile } from '../src/generate';
import { localPrometheusConfig } from '../src/local-prometheus';
import { WORKSPACE_ROOT } from '../src/paths';
import { ALERTMANAGER_TEMPLATE_PATH, renderConfig } from '../src/render-alertmanager';
import { FIXTURE_ENV } from './alertmanager-fixture';
import { type Rule, rulesOf } from './rule-files';
import { durationMs, formatDuration, scaledDuration, scaledExpression, timeScaledAlertmanagerConfig } from '../src/time-scale';

describe('time-scaled rules and timers (tests and demos that cannot wait an hour)', () => {
  /** rules/slo.yml ten times faster. */
  const scaledRules = sloRulesFile(undefined, 10);
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'time-scale-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and writes Prometheus durations exactly', () => {
    expect([durationMs('5m'), durationMs('1h30m'), durationMs('30d'), durationMs('1500ms')]).toEqual([300_000, 5_400_000, 2_592_000_000, 1_500]);
    expect([formatDuration(30_000), formatDuration(360_000), formatDuration(8_640_000), formatDuration(1_500)]).toEqual(['30s', '6m', '144m', '1500ms']);
    expect(() => durationMs('5 minutes')).toThrow('"5 minutes" is not a Prometheus duration');
    expect(() => scaledDuration('5m', 0)).toThrow('the time scale must be a whole number from 1 to 60 (got 0)');
    expect(scaledDuration('5m', 1)).toBe('5m');
    expect(scaledDuration('5s', 10)).toBe('1s');
  });

  it('divides ranges, subquery ranges and steps, and offsets, and nothing else', () => {
    const expr = 'sum(rate(x_total{a="[5m]"}[5m])) * 300 > 1000 and max_over_time(y[1h:1m]) > y offset 1d and z[30m:]';
    expect(scaledExpression(expr, 10)).toBe('sum(rate(x_total{a="[5m]"}[30s])) * 300 > 1000 and max_over_time(y[6m:6s]) > y offset 144m and z[3m:]');
  });

  it('keeps every rule of rules/slo.yml with its name, labels, annotations and thresholds: only windows and `for` shrink', () => {
    const checkedIn = rulesOf(readFileSync(join(WORKSPACE_ROOT, SLO_RULES_PATH), 'utf8'));
    const scaled = rulesOf(scaledRules);
    expect(scaled).toHaveLength(checkedIn.length);
    const withoutTime = (rule: Rule) => ({ ...rule, expr: rule.expr.replace(/\[[^\]]+\]/g, '[range]'), for: rule.for === undefined ? undefined : 'for' });
    expect(scaled.map(withoutTime)).toEqual(checkedIn.map(withoutTime));
    const fastBurn = scaled.find((rule) => rule.alert === 'ErrorBudgetFastBurn' && rule.labels?.service === 'payment');
    expect(fastBurn?.expr).toContain('slo:sli_error:ratio_rate1h{service="payment",slo="availability"} > (14.4 * 0.0005)');
    const highErrorRate = scaled.find((rule) => rule.alert === 'HighErrorRate' && rule.labels?.service === 'payment');
    expect({ for: highErrorRate?.for, expr: highErrorRate?.expr }).toEqual({ for: '30s', expr: expect.stringContaining('[30s])) * 300 > 1000') });
    const ratio1h = scaled.find((rule) => rule.record === 'slo:sli_error:ratio_rate1h' && rule.labels?.service === 'payment');
    expect(ratio1h?.expr).toContain('[6m]');
  });

  it('the scaled rules pass `promtool check rules`, and a local config can load them in place of rules/slo.yml', () => {
    const scaledPath = join(dir, 'slo.time-scaled.yml');
    writeFileSync(scaledPath, scaledRules);
    const rules = runTool('promtool', ['check', 'rules', scaledPath], { install: 'prometheus', cwd: WORKSPACE_ROOT });
    expect({ status: rules.status, output: rules.status === 0 ? '' : rules.output.trim() }).toEqual({ status: 0, output: '' });

    const config = parse(localPrometheusConfig({ addresses: {}, ruleFileOverrides: { 'rules/slo.yml': scaledPath } })) as { rule_files: string[] };
    expect(config.rule_files).toContain(scaledPath);
    expect(config.rule_files).not.toContain(join(WORKSPACE_ROOT, SLO_RULES_PATH));
    expect(config.rule_files.map((file) => file.split('/').pop()).sort()).toEqual(['availability.yml', 'business.yml', 'infrastructure.yml', 'slo.time-scaled.yml']);
    expect(() => localPrometheusConfig({ addresses: {}, ruleFileOverrides: { 'rules/nope.yml': scaledPath } })).toThrow('no rule file rules/nope.yml in prometheus.yml');
  });

  it('shrinks every Alertmanager route timer and leaves the routing, receivers and inhibitions as they are; amtool accepts it', () => {
    const rendered = renderConfig(readFileSync(ALERTMANAGER_TEMPLATE_PATH, 'utf8'), FIXTURE_ENV);
    const scaledText = timeScaledAlertmanagerConfig(rendered, 10);
    const original = parse(rendered) as { route: Record<string, unknown> & { routes: Array<Record<string, unknown>> } };
    const scaled = parse(scaledText) as typeof original;
    expect(scaled.route).toMatchObject({ group_wait: '3s', group_interval: '30s', repeat_interval: '24m' });
    expect(scaled.route.routes.find((route) => route.receiver === 'critical')).toMatchObject({ group_wait: '1s', repeat_interval: '6m' });
    const timersRemoved = (value: unknown) => stringify(value).replace(/^\s*(group_wait|group_interval|repeat_interval|resolve_timeout):.*$/gm, '');
    expect(timersRemoved(scaled)).toBe(timersRemoved(original));

    const path = join(dir, 'alertmanager.yml');
    writeFileSync(path, scaledText);
    const check = runTool('amtool', ['check-config', path], { install: 'prometheus-alertmanager', cwd: WORKSPACE_ROOT });
    expect({ status: check.status, output: check.status === 0 ? '' : check.output.trim() }).toEqual({ status: 0, output: '' });
  });
});
