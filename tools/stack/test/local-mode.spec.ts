import { LocalStackRun, waitFor } from '@ai-finance/testing';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { componentSpecs, EXTRA_PORTS } from '../src/layout';
import { PrometheusApi } from '../src/http';
import { assertBuilt, runScript, type ScriptRun } from './script';

/*
 * The acceptance of local mode, end to end on this machine: the real script starts the ten services,
 * Prometheus, Alertmanager, the exporters and the alert stand-in as processes, on free ports, with a
 * state folder, database, exchange, queue prefix and Redis prefix of this run only, so that it never
 * meets another run or a developer's stack; everything is removed afterwards.
 */

const COMPONENTS = componentSpecs().map((spec) => spec.name);
const SERVICES = componentSpecs().filter((spec) => spec.kind === 'service').map((spec) => spec.name);
const POSTGRES = 'postgres://postgres@127.0.0.1:5432';
const RABBITMQ_PLUGIN = 'http://127.0.0.1:15692';

interface PidRecord {
  pid: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/\) Z /.test(stat);
}

/** Live processes whose command line names `text` (Prometheus and Alertmanager name the state folder). */
function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && alive(Number(entry)))
    .flatMap((pid) => {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return command.includes(text) ? [`${pid}: ${command}`] : [];
      } catch {
        return [];
      }
    });
}

async function listening(port: number): Promise<boolean> {
  const answer = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    (error: Error & { cause?: { code?: string } }) => error.cause?.code !== 'ECONNREFUSED',
  );
  return answer;
}

async function sql(database: string, text: string): Promise<Array<Record<string, unknown>>> {
  const client = new Client({ connectionString: `${POSTGRES}/${database}` });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe('./start-monitoring.sh --local: the whole stack as native processes', () => {
  const run = new LocalStackRun('stack-local');
  const { database, stateDir, env } = run;
  let ports: Record<string, number>;
  let prometheus: PrometheusApi;
  let alertmanagerUrl: string;
  let sinkUrl: string;
  let started: ScriptRun;

  const script = (...args: string[]) => runScript(['--local', ...args], env);
  const pids = (): Record<string, number> =>
    Object.fromEntries(
      readdirSync(join(stateDir, 'pids')).map((file) => [file.replace(/\.pid$/, ''), (JSON.parse(readFileSync(join(stateDir, 'pids', file), 'utf8')) as PidRecord).pid]),
    );

  beforeAll(async () => {
    assertBuilt();
    await run.prepare([...COMPONENTS, ...Object.keys(EXTRA_PORTS)], { PROMETHEUS_SCRAPE_INTERVAL: '2s', PROMETHEUS_EVALUATION_INTERVAL: '2s' });
    ports = run.ports;
    prometheus = new PrometheusApi(`http://127.0.0.1:${ports.prometheus}`);
    alertmanagerUrl = `http://127.0.0.1:${ports.alertmanager}`;
    sinkUrl = `http://127.0.0.1:${ports['alert-sink']}`;
  });

  afterAll(() => run.remove(), 120_000);

  it('start brings the ten services, Prometheus and Alertmanager up and healthy within 90 seconds', async () => {
    started = await script('start');
    expect({ status: started.status, output: started.output }).toEqual({ status: 0, output: expect.stringMatching(/healthy: 17 components/) });
    expect(started.durationMs).toBeLessThan(90_000);
    for (const name of COMPONENTS) expect(started.stdout).toMatch(new RegExp(`^  ${name} +ready in +[\\d.]+ s +http://127\\.0\\.0\\.1:${ports[name]}$`, 'm'));
    expect(Object.keys(pids()).sort()).toEqual([...COMPONENTS].sort());
    expect(readdirSync(join(stateDir, 'logs'))).toEqual(expect.arrayContaining(COMPONENTS.map((name) => `${name}.log`)));
    expect(statSync(join(stateDir, 'secrets', 'jwt-secret')).mode & 0o777).toBe(0o600);
    process.stdout.write(`local start took ${(started.durationMs / 1000).toFixed(1)} s\n`);
  }, 120_000);

  it('start again is harmless: every running component is left alone', async () => {
    const before = pids();
    const again = await script('start');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`already running, left alone: ${COMPONENTS.join(', ')}`);
    expect(pids()).toEqual(before);
  });

  it('health exits 0, and Prometheus reports every target up, the exporters and Alertmanager included', async () => {
    const health = await script('health');
    expect({ status: health.status, last: health.stdout.trim().split('\n').pop() }).toEqual({ status: 0, last: expect.stringMatching(/^healthy: \d+ checks passed$/) });
    expect(health.stdout).toMatch(/ok +prometheus +rules: \d+ loaded in \d+ groups, none failing/);
    expect(health.stdout).toMatch(/ok +alertmanager +configuration: loaded, 6 receivers/);
    const targets = (await prometheus.get<{ activeTargets: Array<{ health: string; labels: Record<string, string> }> }>('/api/v1/targets?state=active')).activeTargets;
    expect(targets.filter((target) => target.health !== 'up')).toEqual([]);
    const jobs = [...new Set(targets.map((target) => target.labels.job))].sort();
    const pluginAnswers = (await fetch(`${RABBITMQ_PLUGIN}/metrics`).catch(() => undefined))?.ok === true;
    const expected = ['alertmanager', 'blackbox', 'blackbox-exporter', 'node-exporter', 'postgres-exporter', 'prometheus', 'redis-exporter', 'services', ...(pluginAnswers ? ['rabbitmq'] : [])];
    expect(jobs).toEqual(expected.sort());
    expect(targets.filter((target) => target.labels.job === 'services').map((target) => target.labels.service).sort()).toEqual([...SERVICES].sort());
  });

  it("Alertmanager runs the repository's routing and delivers to the local stand-ins: Slack, e-mail, and SMS through notification's webhook", async () => {
    const alert = { labels: { alertname: 'StackTestPage', severity: 'critical', service: 'payment' }, annotations: { summary: 'a page sent by the stack test' } };
    const posted = await fetch(`${alertmanagerUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert]) });
    expect(posted.status).toBe(200);
    const messages = await waitFor(
      'the critical receiver to notify the stand-ins',
      async () => {
        const received = (await (await fetch(`${sinkUrl}/messages`)).json()) as Array<{ channel: string; to: string; content: unknown }>;
        const page = received.filter((message) => JSON.stringify(message.content).includes('StackTestPage'));
        return ['slack', 'email', 'sms'].every((channel) => page.some((message) => message.channel === channel)) ? page : undefined;
      },
      30_000,
      500,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: 'slack', to: '#alerts-critical' }),
        // Through notification's webhook and its SMS API client, to the stand-in's Twilio-compatible API.
        expect.objectContaining({ channel: 'sms', to: '+15550100101', content: expect.stringMatching(/^\[FIRING\] StackTestPage service=payment severity=critical/) }),
        expect.objectContaining({ channel: 'email', to: 'oncall@ai-finance.example' }),
      ]),
    );
    const metrics = await (await fetch(`${alertmanagerUrl}/metrics`)).text();
    const count = (name: string, integration: string) => Number(new RegExp(`^${name}\\{integration="${integration}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
    expect({ webhookSent: count('alertmanager_notifications_total', 'webhook'), webhookFailed: count('alertmanager_notifications_failed_total', 'webhook') }).toEqual({
      webhookSent: expect.any(Number),
      webhookFailed: 0,
    });
    expect(count('alertmanager_notifications_total', 'webhook')).toBeGreaterThan(0);
  });

  it('report prints a row for each of the ten services, with figures where there was traffic', async () => {
    // Two bursts a scrape apart: a counter's first scraped value is no increase, so one burst is no rate.
    const quote = async () => (await fetch(`http://127.0.0.1:${ports['api-gateway']}/api/market/quotes/AAPL`)).text();
    for (let i = 0; i < 10; i++) await quote();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    for (let i = 0; i < 10; i++) await quote();
    let last: ScriptRun | undefined;
    const report = await waitFor(
      'the SLO rules to have the gateway traffic',
      async () => {
        last = await script('report');
        return last.status === 0 && /^ {2}api-gateway +\d+\.\d+% \//m.test(last.stdout) ? last : undefined;
      },
      30_000,
      1_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the last report (exit ${last?.status}) was:\n${last?.output}`);
    });
    for (const service of SERVICES) expect(report.stdout).toMatch(new RegExp(`^ {2}${service} {2,}\\S`, 'm'));
    expect(report.stdout).toMatch(/^ {2}audit +no traffic yet$/m);
    expect(report.stdout).toMatch(/^Firing alerts\n(?: {2}.*\n)* {2}Watchdog severity=info/m);
    for (const figure of ['revenue', 'trading volume', 'payment success rate', 'active users', 'signal accuracy']) expect(report.stdout).toMatch(new RegExp(`^ {2}${figure} {2,}\\S`, 'm'));
  });

  it('status lists every component running, with its pid and URL', async () => {
    const status = await script('status');
    expect(status.status).toBe(0);
    const current = pids();
    for (const name of COMPONENTS) expect(status.stdout).toMatch(new RegExp(`^  ${name} +running +${current[name]} +http://127\\.0\\.0\\.1:${ports[name]}$`, 'm'));
  });

  it('a service that stops makes health exit non-zero naming it, and start brings it back', async () => {
    const payment = pids().payment;
    process.kill(payment, 'SIGKILL');
    await waitFor('payment to be gone', () => (alive(payment) ? undefined : true), 5_000);
    const health = await script('health');
    expect(health.status).toBe(1);
    expect(health.stdout).toMatch(/^FAIL +payment +process: pid \d+ is gone/m);
    expect(health.stdout.trim().split('\n').pop()).toBe('unhealthy: payment');

    const restarted = await script('start');
    expect(restarted.status).toBe(0);
    expect(restarted.stdout).toMatch(/^started payment; waiting/m);
    expect((await script('health')).status).toBe(0);
  });

  it('backup then restore brings back a silence deleted after the backup, the database, and the TSDB', async () => {
    const silence = {
      matchers: [{ name: 'alertname', value: 'RevenueDrop', isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'stack-test',
      comment: `restore probe ${run.runId}`,
    };
    const { silenceID } = (await (await fetch(`${alertmanagerUrl}/api/v2/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(silence) })).json()) as {
      silenceID: string;
    };
    await sql(database, "CREATE TABLE public.restore_probe (note text); INSERT INTO public.restore_probe VALUES ('before the backup')");
    const backupTime = Date.now() / 1000;

    const backup = await script('backup');
    expect(backup.status).toBe(0);
    const archive = /^wrote (\S+\.tar\.gz)$/m.exec(backup.stdout)?.[1] as string;
    expect(archive.startsWith(join(stateDir, 'backups'))).toBe(true);
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(backup.stdout).toContain('grafana: skipped: local mode runs no Grafana');

    // What the backup holds is lost: the silence, the table, and every sample of `up` so far.
    await fetch(`${alertmanagerUrl}/api/v2/silence/${silenceID}`, { method: 'DELETE' });
    await sql(database, 'DROP TABLE public.restore_probe');
    await fetch(`${prometheus.url}/api/v1/admin/tsdb/delete_series?match[]=up&end=${backupTime}`, { method: 'POST' });
    const upBeforeBackup = () => prometheus.query(`count_over_time(up{job="prometheus"}[1m] @ ${backupTime.toFixed(3)})`);
    expect(await upBeforeBackup()).toEqual([]);

    const restore = await script('restore', archive);
    expect({ status: restore.status, output: restore.output }).toEqual({ status: 0, output: expect.stringContaining('restored') });
    expect(restore.stdout).toContain('alertmanager: 1 silences re-created');

    const silences = (await (await fetch(`${alertmanagerUrl}/api/v2/silences`)).json()) as Array<{ comment: string; status: { state: string } }>;
    expect(silences.filter((candidate) => candidate.comment === silence.comment && candidate.status.state === 'active')).toHaveLength(1);
    expect(await sql(database, 'SELECT note FROM public.restore_probe')).toEqual([{ note: 'before the backup' }]);
    expect((await upBeforeBackup()).length).toBe(1);
    expect((await script('health')).status).toBe(0);
  }, 120_000);

  it('stop leaves no process behind and frees every port', async () => {
    const before = pids();
    const stop = await script('stop');
    expect({ status: stop.status, last: stop.stdout.trim().split('\n').pop() }).toEqual({ status: 0, last: 'stopped: no component of the local stack is running' });
    expect(Object.entries(before).filter(([, pid]) => alive(pid))).toEqual([]);
    const open: string[] = [];
    for (const [name, port] of Object.entries(ports)) if (await listening(port)) open.push(`${name}:${port}`);
    expect(open).toEqual([]);
    expect(processesMentioning(stateDir)).toEqual([]);
    const status = await script('status');
    for (const name of COMPONENTS) expect(status.stdout).toMatch(new RegExp(`^  ${name} +stopped +-`, 'm'));
  });

  it('start names a component that cannot start and shows the end of its log', async () => {
    const failing = await runScript(['--local', 'start'], { ...env, PAYMENT_BACKUP_PROVIDER: 'provider-a' });
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('payment exited before it was ready. Last lines of');
    expect(failing.stdout).toContain('PAYMENT_BACKUP_PROVIDER');
    expect((await script('stop')).status).toBe(0);
  }, 120_000);
});
