import { runTool } from '@ai-finance/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from '../src/paths';
import { ALERTMANAGER_TEMPLATE_PATH, referencedVariables, renderConfig, withoutComments } from '../src/render-alertmanager';
import { FIXTURE_ENV, TEMPLATES_DIR } from './alertmanager-fixture';

function amtool(...args: string[]): { status: number | null; output: string; stdout: string } {
  const result = runTool('amtool', args, { install: 'prometheus-alertmanager', cwd: WORKSPACE_ROOT });
  return { status: result.status, output: result.output.trim(), stdout: result.stdout.trim() };
}

interface RoutingCase {
  labels: Record<string, string>;
  receivers: string[];
}

describe('Alertmanager configuration (monitoring/alertmanager)', () => {
  const template = readFileSync(ALERTMANAGER_TEMPLATE_PATH, 'utf8');
  let dir: string;
  let configPath: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
    configPath = join(dir, 'alertmanager.yml');
    writeFileSync(configPath, renderConfig(template, FIXTURE_ENV));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes no URL, address or credential itself: every one is a ${VARIABLE}', () => {
    expect(withoutComments(template)).not.toMatch(/https?:\/\/|@[a-z0-9-]+\.[a-z]|hooks\.slack|\+\d{6,}/i);
    expect(referencedVariables(template).sort()).toEqual(Object.keys(FIXTURE_ENV).sort());
  });

  it('passes `amtool check-config` once rendered, templates included', () => {
    const result = amtool('check-config', configPath);
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  const cases = parse(readFileSync(join(WORKSPACE_ROOT, 'monitoring/alertmanager/routing-cases.yml'), 'utf8')) as RoutingCase[];

  it.each(cases.map((routing) => [Object.entries(routing.labels).map(([name, value]) => `${name}=${value}`).join(' '), routing.receivers] as const))(
    'routes {%s} to %j',
    (labels, receivers) => {
      const result = amtool('config', 'routes', 'test', `--config.file=${configPath}`, ...labels.split(' '));
      expect({ labels, status: result.status, receivers: result.stdout.split(',').map((name) => name.trim()) }).toEqual({ labels, status: 0, receivers });
    },
  );

  it('covers every routing line of the issue: each receiver is reached by at least one case', () => {
    const reached = new Set(cases.flatMap((routing) => routing.receivers));
    expect([...reached].sort()).toEqual(['business', 'critical', 'default', 'security', 'warning', 'watchdog']);
  });

  it('inhibits the warning of an alert that is also critical for the same service, and everything of a service that is down', () => {
    const config = parse(renderConfig(template, FIXTURE_ENV)) as { inhibit_rules: Array<Record<string, unknown>> };
    expect(config.inhibit_rules).toEqual([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'service'] },
      { source_matchers: ['alertname="ServiceDown"'], target_matchers: ['alertname!="ServiceDown"'], equal: ['service'] },
    ]);
  });

  it.each(['ai_finance.slack.title', 'ai_finance.slack.text', 'ai_finance.email.subject', 'ai_finance.email.html', 'ai_finance.sms.text'])(
    'renders the %s template',
    (name) => {
      const result = amtool('template', 'render', `--template.glob=${TEMPLATES_DIR}/*.tmpl`, `--template.text={{ template "${name}" . }}`);
      expect({ name, status: result.status }).toEqual({ name, status: 0 });
      expect(result.output.length).toBeGreaterThan(0);
    },
  );

  it('refuses to render with a variable missing or a value that would break the YAML, naming each', () => {
    const missingSlack = { ...FIXTURE_ENV };
    delete missingSlack.SLACK_WEBHOOK_URL;
    expect(() => renderConfig(template, { ...missingSlack, ONCALL_EMAIL: "o'neil@ai-finance.example" })).toThrow(
      /SLACK_WEBHOOK_URL is not set[\s\S]*ONCALL_EMAIL must not contain quotes/,
    );
    expect(() => renderConfig(template, { ...FIXTURE_ENV, SMTP_REQUIRE_TLS: 'yes' })).toThrow(/SMTP_REQUIRE_TLS must be true or false/);
  });
});
