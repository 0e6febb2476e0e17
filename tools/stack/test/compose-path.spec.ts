import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_SECRETS, parseEnv } from '../src/env-file';
import { servicePorts } from '../src/layout';
import { FakeMonitoring } from './fake-monitoring';
import { assertBuilt, runScript, WORKSPACE_ROOT } from './script';

/*
 * The compose path against a stand-in `docker` on PATH (test/fake-docker/docker) that records every call,
 * and stand-ins for the HTTP APIs the stack publishes. Checks that each command calls the right docker
 * commands, in the right order, and handles what they answer.
 */

const COMPOSE_FILE = join(WORKSPACE_ROOT, 'docker-compose.enhanced.yml');
const SERVICES = Object.keys(servicePorts());
const STACK = [...SERVICES, 'postgres', 'prometheus', 'alertmanager', 'alertmanager-config', 'grafana', 'elasticsearch'];

interface Call {
  args: string[];
  stdinBytes: number;
}

/** What a user fills in by hand: where alerts go. */
const ALERT_DESTINATIONS = {
  SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack',
  SMTP_SMARTHOST: '127.0.0.1:2525',
  ALERT_EMAIL_FROM: 'alertmanager@ai-finance.example',
  ONCALL_EMAIL: 'oncall@ai-finance.example',
  TEAM_EMAIL: 'sre@ai-finance.example',
  BUSINESS_EMAIL: 'business@ai-finance.example',
  SECURITY_EMAIL: 'security@ai-finance.example',
  WATCHDOG_WEBHOOK_URL: 'http://127.0.0.1:9/watchdog',
};

describe('./start-monitoring.sh on the compose path (stand-in docker)', () => {
  let dir: string;
  let envFile: string;
  let scenarioFile: string;
  let logFile: string;
  const monitoring = new FakeMonitoring();

  const scenario = (containers: Array<{ service: string; state?: string; health?: string; exitCode?: number }>, network = true) =>
    writeFileSync(
      scenarioFile,
      JSON.stringify({
        network,
        services: STACK,
        containers: containers.map((container, index) => ({ id: `c${index}`, state: 'running', health: 'healthy', exitCode: 0, ...container })),
      }),
    );
  const healthyStack = () => STACK.map((service) => (service === 'alertmanager-config' ? { service, state: 'exited', health: '', exitCode: 0 } : { service }));

  const calls = (): Call[] => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Call) : []);
  /** The compose calls, without `compose -f <file> --env-file <file>`. */
  const composeCalls = () =>
    calls()
      .filter((call) => call.args[0] === 'compose' && call.args[1] === '-f')
      .map((call) => call.args.slice(5).join(' '));
  const script = (...args: string[]) =>
    runScript(args, {
      PATH: `${join(__dirname, 'fake-docker')}:${process.env.PATH}`,
      MONITORING_STATE_DIR: join(dir, 'state'),
      AI_FINANCE_ENV_FILE: envFile,
      FAKE_DOCKER_LOG: logFile,
      FAKE_DOCKER_SCENARIO: scenarioFile,
      ...monitoring.portEnv,
    });

  beforeAll(async () => {
    assertBuilt();
    dir = mkdtempSync(join(tmpdir(), 'stack-compose-'));
    envFile = join(dir, 'compose.env');
    scenarioFile = join(dir, 'scenario.json');
    logFile = join(dir, 'docker-calls.jsonl');
    await monitoring.start();
  });

  afterAll(async () => {
    await monitoring.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => rmSync(logFile, { force: true }));

  it('start writes .env from .env.example (random secrets, mode 600), and stops before `up` while the alert destinations are empty, naming them', async () => {
    scenario([], false);
    const run = await script('start');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`wrote ${envFile} with new random credentials (mode 600)`);
    expect(run.stdout).toContain(`fill these in ${envFile} first: ${Object.keys(ALERT_DESTINATIONS).join(', ')}`);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const values = parseEnv(readFileSync(envFile, 'utf8'));
    for (const name of GENERATED_SECRETS) expect({ name, value: values[name] }).toEqual({ name, value: expect.stringMatching(/^[0-9a-f]{48}$/) });
    expect(new Set(GENERATED_SECRETS.map((name) => values[name])).size).toBe(GENERATED_SECRETS.length);
    expect(calls().map((call) => call.args.join(' '))).toEqual(['info']);
  });

  it('start chooses compose because `docker info` answers, keeps .env, creates the network, runs `up -d` and waits for every container', async () => {
    const before = readFileSync(envFile, 'utf8');
    writeFileSync(envFile, `${before}\n${Object.entries(ALERT_DESTINATIONS).map(([name, value]) => `${name}=${value}`).join('\n')}\n`);
    const filled = readFileSync(envFile, 'utf8');
    scenario(healthyStack(), false);

    const run = await script('start');

    expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.stringContaining('healthy: 16 containers') });
    expect(readFileSync(envFile, 'utf8')).toBe(filled);
    const all = calls().map((call) => call.args.join(' '));
    expect(all.slice(0, 4)).toEqual(['info', 'network inspect ai_finance_network', 'network create ai_finance_network', 'compose version']);
    expect(calls().find((call) => call.args[0] === 'compose' && call.args[1] === '-f')?.args.slice(0, 5)).toEqual(['compose', '-f', COMPOSE_FILE, '--env-file', envFile]);
    expect(composeCalls().slice(0, 3)).toEqual(['up -d --remove-orphans', 'config --services', 'ps -a -q']);
    expect(all).toContainEqual(expect.stringMatching(/^inspect --format \{\{\.Id\}\}\|.* c0 c1 c2/));
    expect(run.stdout).toMatch(/payment +healthy after/);
    expect(run.stdout).toMatch(/alertmanager-config +done after/);
  });

  it('start names a container that turns unhealthy and shows the end of its log', async () => {
    scenario(healthyStack().map((container) => (container.service === 'payment' ? { service: 'payment', health: 'unhealthy' } : container)));
    const run = await script('start');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('payment is unhealthy or exited with an error. Last lines of its log:\n  fake log of payment');
    expect(composeCalls()).toContain('logs --tail 30 --no-color payment');
  });

  it('status lists every container with its state, health and URL, from `ps` and `inspect`', async () => {
    scenario(healthyStack());
    const run = await script('status');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('mode: compose');
    expect(run.stdout).toMatch(/prometheus +running +healthy +http:\/\/127\.0\.0\.1:\d+/);
    expect(run.stdout).toMatch(/alertmanager-config +exited \(0\) +-/);
    expect(composeCalls()).toEqual(['ps -a -q']);
    expect(calls().map((call) => call.args[0])).not.toContain('info');
  });

  it('logs asks compose for one service, or follows all', async () => {
    expect((await script('logs', 'payment')).stdout).toBe('fake log of payment\n');
    expect(await script('logs', '-f')).toMatchObject({ status: 0 });
    expect(composeCalls()).toEqual(['logs --tail 100 payment', 'logs --tail 20 --follow']);
  });

  it('health passes with every container healthy and the APIs answering, and names an unhealthy container', async () => {
    scenario(healthyStack());
    const healthy = await script('health');
    expect({ status: healthy.status, last: healthy.stdout.trim().split('\n').pop() }).toEqual({ status: 0, last: expect.stringMatching(/^healthy: \d+ checks passed$/) });
    expect(healthy.stdout).toMatch(/ok +elasticsearch +_cluster\/health: green/);
    expect(composeCalls()).toContain('exec -T elasticsearch curl -s http://localhost:9200/_cluster/health');

    scenario(healthyStack().map((container) => (container.service === 'risk' ? { service: 'risk', health: 'unhealthy' } : container)));
    const sick = await script('health');
    expect(sick.status).toBe(1);
    expect(sick.stdout).toMatch(/FAIL +risk +container: running, unhealthy/);
    expect(sick.stdout.trim().split('\n').pop()).toBe('unhealthy: risk');
  });

  let archive: string;

  it('backup takes the snapshot, silences, Grafana volume and database dump through the APIs and `compose exec`', async () => {
    scenario(healthyStack());
    monitoring.silences = [
      {
        id: 'a',
        status: { state: 'active' },
        matchers: [{ name: 'alertname', value: 'RevenueDrop', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'test',
        comment: 'maintenance',
      },
    ];
    const run = await script('backup');
    expect(run.status).toBe(0);
    archive = /wrote (\S+\.tar\.gz)/.exec(run.stdout)?.[1] as string;
    const snapshot = monitoring.snapshots.at(-1);
    expect(composeCalls()).toEqual([
      `exec -T prometheus tar -cf - -C /prometheus/snapshots/${snapshot} .`,
      `exec -T prometheus rm -rf /prometheus/snapshots/${snapshot}`,
      'exec -T grafana tar -cf - -C /var/lib/grafana .',
      'exec -T postgres sh -c pg_dump --no-owner --no-privileges -U "${POSTGRES_USER:-postgres}" -d "$POSTGRES_DB"',
      'exec -T postgres sh -c printf %s "$POSTGRES_DB"',
    ]);
    const listing = spawnSync('tar', ['-tzf', archive], { encoding: 'utf8' }).stdout.split('\n');
    expect(listing).toEqual(
      expect.arrayContaining([
        './manifest.json',
        './config/.env',
        './config/monitoring/prometheus/prometheus.yml',
        './prometheus/snapshot/chunks-000001',
        './alertmanager/silences.json',
        './grafana/grafana.tar',
        './postgres/database.sql',
      ]),
    );
    expect(statSync(archive).mode & 0o777).toBe(0o600);
  });

  it('restore stops what it replaces, restores database, TSDB and Grafana through compose, re-creates the silences, and starts again', async () => {
    monitoring.silences = [];
    const run = await script('restore', archive);
    expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.stringContaining('restored') });
    expect(monitoring.postedSilences).toEqual([expect.objectContaining({ comment: 'maintenance', createdBy: 'test' })]);
    const composeOnly = composeCalls().filter((call) => !['ps -a -q', 'config --services'].includes(call) && !call.startsWith('exec -T elasticsearch'));
    expect(composeOnly.slice(0, 6)).toEqual([
      `stop ${SERVICES.join(' ')} prometheus grafana`,
      expect.stringMatching(/^exec -T postgres sh -c psql .* -d postgres -c "DROP DATABASE IF EXISTS \\"\$POSTGRES_DB\\" WITH \(FORCE\)" -c "CREATE DATABASE/),
      expect.stringMatching(/^exec -T postgres sh -c psql .*--single-transaction/),
      'run --rm --no-deps -T --entrypoint sh prometheus -c rm -rf /prometheus/* && tar -xf - -C /prometheus',
      'run --rm --no-deps -T --entrypoint sh grafana -c rm -rf /var/lib/grafana/* && tar -xf - -C /var/lib/grafana',
      'up -d --remove-orphans',
    ]);
    const withInput = calls().filter((call) => call.stdinBytes > 0).map((call) => call.args[5]);
    expect(withInput).toEqual(['exec', 'run', 'run']);
  });

  it('stop brings the project down, keeping its volumes', async () => {
    const run = await script('stop');
    expect(run.status).toBe(0);
    expect(composeCalls()).toEqual(['down --remove-orphans']);
  });
});
