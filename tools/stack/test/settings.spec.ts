import { localPrometheusConfig as builtLocalPrometheusConfig } from '@ai-finance/monitoring-tools/dist/local-prometheus';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as localPrometheusSource from '../../monitoring/src/local-prometheus';
import * as renderAlertmanagerSource from '../../monitoring/src/render-alertmanager';
import { FIXED_VALUES, ENV_EXAMPLE, ensureEnvFile, fillExample, GENERATED_SECRETS, missingRequired, parseEnv } from '../src/env-file';
import { componentSpecs, resolvePorts } from '../src/layout';
import { settingsFromEnv } from '../src/local-stack';
import { localAddresses, writeConfigs } from '../src/programs';
import { StateDir } from '../src/state';
import { WORKSPACE_ROOT } from './script';

const README_PORTS = {
  'api-gateway': 3000,
  'user-management': 3010,
  payment: 3020,
  trading: 3030,
  'market-data': 3040,
  signals: 3050,
  portfolio: 3060,
  risk: 3070,
  notification: 3080,
  audit: 3090,
  prometheus: 9090,
  alertmanager: 9093,
};

describe('ports of the local stack', () => {
  it("are the README's without settings", () => {
    expect(resolvePorts({})).toEqual(expect.objectContaining(README_PORTS));
  });

  it('all move with AI_FINANCE_PORT_BASE, services keeping their distance from 3000, and one moves with its own variable', () => {
    const ports = resolvePorts({ AI_FINANCE_PORT_BASE: '40000', AI_FINANCE_PORT_PROMETHEUS: '41234' });
    expect(ports).toEqual(expect.objectContaining({ 'api-gateway': 40000, audit: 40090, prometheus: 41234 }));
    expect(Object.values(ports).every((port) => port === 41234 || (port >= 40000 && port < 40200))).toBe(true);
    expect(new Set(Object.values(ports)).size).toBe(Object.keys(ports).length);
  });

  it('refuses a value that is not a port, and two components on one port, naming the variables', () => {
    expect(() => resolvePorts({ AI_FINANCE_PORT_PAYMENT: 'http' })).toThrow('AI_FINANCE_PORT_PAYMENT must be a port number from 1 to 65535 (got "http")');
    expect(() => resolvePorts({ AI_FINANCE_PORT_RISK: '3020' })).toThrow('payment and risk would share port 3020: set AI_FINANCE_PORT_RISK');
  });

  it('settings name every bad variable at once', () => {
    expect(() => settingsFromEnv({ DATABASE_URL: 'mysql://x', PROMETHEUS_SCRAPE_INTERVAL: 'often' })).toThrow(
      /DATABASE_URL must be a postgres: or postgresql: URL[\s\S]*PROMETHEUS_SCRAPE_INTERVAL must be a Prometheus duration/,
    );
  });
});

describe('the local Prometheus and Alertmanager configuration', () => {
  let stateDir: string;
  let state: StateDir;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'stack-config-'));
    state = new StateDir(stateDir);
  });

  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("is the repository's prometheus.yml through localPrometheusConfig, the build the same as the sources", () => {
    const options = { addresses: localAddresses(settingsFromEnv({})), scrapeInterval: '5s' };
    expect(builtLocalPrometheusConfig(options)).toBe(localPrometheusSource.localPrometheusConfig(options));
  });

  it('scrapes every local component at 127.0.0.1, RabbitMQ only when its plugin is there, and nothing without a local address', () => {
    const settings = settingsFromEnv({});
    const paths = writeConfigs(settings, state);
    const config = parse(readFileSync(paths.prometheus, 'utf8')) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    const jobs = config.scrape_configs.map((job) => job.job_name).sort();
    expect(jobs).toEqual(['alertmanager', 'blackbox', 'blackbox-exporter', 'node-exporter', 'postgres-exporter', 'prometheus', 'redis-exporter', 'services']);
    const scraped = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((static_) => static_.targets));
    expect(scraped.filter((target) => !/^(http:\/\/)?127\.0\.0\.1:\d+/.test(target))).toEqual([]);

    const withPlugin = parse(readFileSync(writeConfigs({ ...settings, rabbitmqMetrics: '127.0.0.1:15692' }, state).prometheus, 'utf8')) as typeof config;
    expect(withPlugin.scrape_configs.find((job) => job.job_name === 'rabbitmq')?.static_configs[0].targets).toEqual(['127.0.0.1:15692']);
  });

  it("renders the repository's Alertmanager routing with every receiver on this machine, and amtool accepts it", () => {
    const settings = settingsFromEnv({});
    const rendered = readFileSync(writeConfigs(settings, state).alertmanager, 'utf8');
    const urls = [...rendered.matchAll(/https?:\/\/([^/'"\s]+)/g)].map((match) => match[1]);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.filter((host) => !host.startsWith('127.0.0.1:'))).toEqual([]);
    expect(rendered).toContain(`http://127.0.0.1:${settings.ports.notification}/alerts/alertmanager`);
    const template = readFileSync(renderAlertmanagerSource.ALERTMANAGER_TEMPLATE_PATH, 'utf8');
    expect((parse(rendered) as { route: unknown }).route).toEqual((parse(template.replace(/\$\{[A-Z_]+\}/g, 'x')) as { route: unknown }).route);
    const check = spawnSync('amtool', ['check-config', join(stateDir, 'alertmanager', 'alertmanager.yml')], { encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('keeps each secret once made, private to its owner', () => {
    const first = state.secret('jwt-secret');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(new StateDir(stateDir).secret('jwt-secret')).toBe(first);
    expect(statSync(join(stateDir, 'secrets', 'jwt-secret')).mode & 0o777).toBe(0o600);
  });
});

describe("compose's .env, made from .env.example", () => {
  const example = readFileSync(ENV_EXAMPLE, 'utf8');
  const compose = readFileSync(join(WORKSPACE_ROOT, 'docker-compose.enhanced.yml'), 'utf8');

  it('fills every secret and account name .env.example lists, and only those', () => {
    const names = Object.keys(parseEnv(example));
    expect(names).toEqual(expect.arrayContaining([...GENERATED_SECRETS, ...Object.keys(FIXED_VALUES)]));
    const filled = parseEnv(fillExample(example).text);
    const set = Object.keys(filled).filter((name) => filled[name] !== '');
    expect(set.sort()).toEqual([...GENERATED_SECRETS, ...Object.keys(FIXED_VALUES)].sort());
  });

  it('leaves to whoever installs the stack exactly the alert destinations compose requires', () => {
    expect(missingRequired(compose, fillExample(example).text)).toEqual([
      'SLACK_WEBHOOK_URL',
      'SMTP_SMARTHOST',
      'ALERT_EMAIL_FROM',
      'ONCALL_EMAIL',
      'TEAM_EMAIL',
      'BUSINESS_EMAIL',
      'SECURITY_EMAIL',
      'WATCHDOG_WEBHOOK_URL',
    ]);
    expect(missingRequired(compose, fillExample(example).text, { SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack' })).not.toContain('SLACK_WEBHOOK_URL');
  });

  it('never overwrites an existing .env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stack-env-'));
    try {
      const path = join(dir, '.env');
      writeFileSync(path, 'POSTGRES_PASSWORD=mine\n');
      expect(ensureEnvFile(path)).toEqual({ path, created: false });
      expect(readFileSync(path, 'utf8')).toBe('POSTGRES_PASSWORD=mine\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the components', () => {
  it('are the ten services of prometheus.yml and the programs of local mode', () => {
    expect(componentSpecs().map((spec) => spec.name)).toEqual([
      'alert-sink',
      'node-exporter',
      'postgres-exporter',
      'redis-exporter',
      'blackbox-exporter',
      ...Object.keys(README_PORTS).filter((name) => !['prometheus', 'alertmanager'].includes(name)),
      'alertmanager',
      'prometheus',
    ]);
  });
});
