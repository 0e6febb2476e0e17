import { spawnSync } from 'node:child_process';
import { type ComponentKind, componentSpecs, type ComponentSpec, portVariable, resolvePorts, WORKSPACE_ROOT } from './layout';
import { durationMs } from '@ai-finance/monitoring-tools/dist/time-scale';
import { alertmanagerConfigCheck, type Check, failed, httpCheck, prometheusApiChecks } from './health';
import { request } from './http';
import { findExecutable, isRunning, portInUse, readPid, removePid, sleep, spawnDetached, stopGroup, tail, writePid, type PidRecord } from './processes';
import { launchOf, writeConfigs } from './programs';
import type { StackSettings, StateDir } from './state';

export type Out = (line: string) => void;

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ai_finance';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_RABBITMQ_URL = 'amqp://127.0.0.1:5672';
const RABBITMQ_PLUGIN_PORT = 15692;

/** The local stack's settings from the environment; a bad value stops with a message naming its variable. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): StackSettings {
  const problems: string[] = [];
  const url = (variable: string, fallback: string, protocols: string[]): string => {
    const value = env[variable] || fallback;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) problems.push(`${variable} must be a ${protocols.join(' or ')} URL (got "${parsed.protocol}")`);
    } catch {
      problems.push(`${variable} is not a URL`);
    }
    return value;
  };
  const interval = (variable: string): string | undefined => {
    const value = env[variable];
    if (value === undefined || value === '') return undefined;
    if (!/^\d+(ms|s|m|h)$/.test(value)) problems.push(`${variable} must be a Prometheus duration such as 15s (got "${value}")`);
    return value;
  };
  const timeScale = (): number | undefined => {
    const value = env.AI_FINANCE_ALERT_TIME_SCALE;
    if (value === undefined || value === '' || value === '1') return undefined;
    const factor = Number(value);
    if (!Number.isInteger(factor) || factor < 1 || factor > 60) problems.push(`AI_FINANCE_ALERT_TIME_SCALE must be a whole number from 1 to 60 (got "${value}")`);
    return factor;
  };
  const faultInjection = (): boolean => {
    const value = env.AI_FINANCE_FAULT_INJECTION ?? 'on';
    if (!['on', 'off'].includes(value)) problems.push(`AI_FINANCE_FAULT_INJECTION must be on or off (got "${value}")`);
    return value !== 'off';
  };
  let ports: Record<string, number> = {};
  try {
    ports = resolvePorts(env);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const settings: StackSettings = {
    mode: 'local',
    startedAt: new Date().toISOString(),
    ports,
    databaseUrl: url('DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', DEFAULT_REDIS_URL, ['redis:', 'rediss:']),
    rabbitmqUrl: url('RABBITMQ_URL', DEFAULT_RABBITMQ_URL, ['amqp:', 'amqps:']),
    eventsExchange: env.EVENTS_EXCHANGE || undefined,
    queuePrefix: env.RABBITMQ_QUEUE_PREFIX || undefined,
    redisKeyBase: env.AI_FINANCE_REDIS_KEY_BASE || undefined,
    scrapeInterval: interval('PROMETHEUS_SCRAPE_INTERVAL'),
    evaluationInterval: interval('PROMETHEUS_EVALUATION_INTERVAL'),
    alertTimeScale: timeScale(),
    faultInjection: faultInjection(),
  };
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return settings;
}

/**
 * RabbitMQ's Prometheus plugin, when it answers or can be enabled: scraped if it answers; enabled with
 * rabbitmq-plugins only as root on the machine of a broker on this host, and said so, because it
 * changes a broker other projects share; otherwise the rabbitmq job is left out of the local config.
 */
async function rabbitmqMetrics(settings: StackSettings, env: NodeJS.ProcessEnv, out: Out): Promise<string | undefined> {
  const host = new URL(settings.rabbitmqUrl).hostname;
  const address = `${host}:${RABBITMQ_PLUGIN_PORT}`;
  const answers = async () => (await request(`http://${address}/metrics`, { timeoutMs: 2_000 })).ok;
  if (await answers()) {
    out(`RabbitMQ: its Prometheus plugin answers on ${address}; Prometheus scrapes it`);
    return address;
  }
  const leftOut = 'the rabbitmq job is left out of the local Prometheus configuration (RabbitmqDown will fire)';
  if (env.AI_FINANCE_RABBITMQ_PLUGIN === 'off') {
    out(`RabbitMQ: AI_FINANCE_RABBITMQ_PLUGIN=off, the broker is left as it is; ${leftOut}`);
    return undefined;
  }
  const local = ['127.0.0.1', 'localhost', '::1'].includes(host);
  if (!local || process.getuid?.() !== 0 || !findExecutable(['rabbitmq-plugins'])) {
    out(`RabbitMQ: its Prometheus plugin is not enabled, and enabling it needs root and rabbitmq-plugins on the broker's machine; ${leftOut}.`);
    out('  To scrape it: sudo rabbitmq-plugins enable rabbitmq_prometheus, then restart.');
    return undefined;
  }
  out('RabbitMQ: enabling its Prometheus plugin on the shared broker (rabbitmq-plugins enable rabbitmq_prometheus; it stays enabled,');
  out('  port 15692; AI_FINANCE_RABBITMQ_PLUGIN=off leaves the broker alone)');
  const result = spawnSync('rabbitmq-plugins', ['enable', 'rabbitmq_prometheus'], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    out(`RabbitMQ: rabbitmq-plugins failed (${result.error?.message ?? `exit ${result.status}`}): ${(result.stderr || result.stdout).trim().split('\n').pop()}; ${leftOut}`);
    return undefined;
  }
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (await answers()) return address;
    await sleep(500);
  }
  out(`RabbitMQ: the plugin was enabled but ${address} does not answer; ${leftOut}`);
  return undefined;
}

interface Component extends ComponentSpec {
  port: number;
  url: string;
}

const STOP_ORDER: ComponentKind[] = ['monitoring', 'service', 'exporter', 'stand-in'];

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The local stack of one state folder: native processes in their own process groups, pid files and logs. */
export class LocalStack {
  readonly components: Component[];

  constructor(
    readonly state: StateDir,
    readonly settings: StackSettings,
    private readonly out: Out,
  ) {
    this.components = componentSpecs().map((spec) => ({ ...spec, port: settings.ports[spec.name], url: `http://127.0.0.1:${settings.ports[spec.name]}` }));
  }

  component(name: string): Component | undefined {
    return this.components.find((component) => component.name === name);
  }

  pidOf(name: string): PidRecord | undefined {
    return readPid(this.state.pidFile(name));
  }

  running(name: string): boolean {
    const record = this.pidOf(name);
    return record !== undefined && isRunning(record);
  }

  /**
   * Starts every component that is not running, waits for each to be ready, then for `health` to pass
   * (Prometheus has scraped every target). False, after naming what failed and showing its log, if a
   * component exits or is not ready within its time.
   */
  async start(baseEnv: NodeJS.ProcessEnv): Promise<boolean> {
    const began = Date.now();
    const toStart = this.components.filter((component) => !this.running(component.name));
    const already = this.components.filter((component) => !toStart.includes(component));
    if (already.length > 0) this.out(`already running, left alone: ${already.map((component) => component.name).join(', ')}`);
    const busy: string[] = [];
    const listeners = toStart.map((component): [string, number] => [component.name, component.port]);
    if (toStart.some((component) => component.name === 'alert-sink')) listeners.push(['alert-sink-smtp', this.settings.ports['alert-sink-smtp']]);
    for (const [name, port] of listeners) {
      if (await portInUse(port)) busy.push(`port ${port} (${name}) is taken by another program: set ${portVariable(name)} or AI_FINANCE_PORT_BASE`);
    }
    if (busy.length > 0) {
      this.out(`cannot start:\n  ${busy.join('\n  ')}`);
      return false;
    }
    writeConfigs(this.settings, this.state);
    this.state.ensure('pids');
    const started = new Map<string, { record: PidRecord; since: number }>();
    for (const component of toStart) {
      const launch = launchOf(component, this.settings, this.state, baseEnv);
      const record = spawnDetached(launch.command, launch.args, { env: launch.env, cwd: WORKSPACE_ROOT, logFile: this.state.freshLog(component.name) });
      writePid(this.state.pidFile(component.name), record);
      started.set(component.name, { record, since: Date.now() });
    }
    if (toStart.length > 0) this.out(`started ${toStart.map((component) => component.name).join(', ')}; waiting for each to be ready`);
    if (!(await this.waitReady(started))) return false;
    return this.waitHealthy(began);
  }

  private async waitReady(started: Map<string, { record: PidRecord; since: number }>): Promise<boolean> {
    const pending = new Set(started.keys());
    let lastProgress = Date.now();
    while (pending.size > 0) {
      const failures: Array<{ name: string; why: string }> = [];
      await Promise.all(
        [...pending].map(async (name) => {
          const component = this.component(name) as Component;
          const { record, since } = started.get(name) as { record: PidRecord; since: number };
          if (!isRunning(record)) return void failures.push({ name, why: 'exited before it was ready' });
          const answer = await request(`${component.url}${component.readyPath}`, { timeoutMs: 2_000 });
          if (answer.ok) {
            pending.delete(name);
            this.out(`  ${name.padEnd(18)} ready in ${seconds(Date.now() - since).padStart(7)}  ${component.url}`);
          } else if (Date.now() - since > component.readyTimeoutMs) {
            failures.push({ name, why: `was not ready within ${component.readyTimeoutMs / 1000} s (last answer from ${component.readyPath}: ${answer.error ?? `HTTP ${answer.status}`})` });
          }
        }),
      );
      if (failures.length > 0) {
        for (const { name, why } of failures) this.out(`\n${name} ${why}. Last lines of ${this.state.logFile(name)}:\n${indent(tail(this.state.logFile(name)))}`);
        this.out('\nThe other components are left running for a look: `./start-monitoring.sh status`, `./start-monitoring.sh stop`.');
        return false;
      }
      if (pending.size > 0 && Date.now() - lastProgress >= 5_000) {
        lastProgress = Date.now();
        this.out(`  still waiting for: ${[...pending].join(', ')}`);
      }
      if (pending.size > 0) await sleep(250);
    }
    return true;
  }

  /** After every component answers: until Prometheus has scraped every target and `health` passes. */
  private async waitHealthy(began: number): Promise<boolean> {
    const scrapeSeconds = Math.max(1, durationMs(this.settings.scrapeInterval ?? '15s') / 1000);
    const timeoutMs = (2 * scrapeSeconds + 20) * 1000;
    this.out(`waiting for Prometheus to scrape every target (every ${scrapeSeconds} s) and for every check of \`health\``);
    const deadline = Date.now() + timeoutMs;
    let checks: Check[] = [];
    while (Date.now() < deadline) {
      checks = await this.health();
      if (checks.every((check) => check.ok)) {
        const targets = checks.find((check) => check.component === 'prometheus' && check.what === 'targets');
        this.out(`healthy: ${this.components.length} components, Prometheus targets ${targets?.detail ?? 'up'}; up in ${seconds(Date.now() - began)}`);
        return true;
      }
      await sleep(1_000);
    }
    this.out(`not healthy within ${timeoutMs / 1000} s:`);
    for (const check of checks.filter((candidate) => !candidate.ok)) {
      this.out(`  ${check.component}: ${check.what}: ${check.detail}`);
      const component = this.component(check.component);
      if (component) this.out(`  last lines of ${this.state.logFile(component.name)}:\n${indent(tail(this.state.logFile(component.name), 10), 4)}`);
    }
    return false;
  }

  /** Every check of `health`: each process alive and ready, then Prometheus's and Alertmanager's own checks. */
  async health(): Promise<Check[]> {
    const checks = await Promise.all(
      this.components.map(async (component): Promise<Check> => {
        const record = this.pidOf(component.name);
        if (!record) return failed(component.name, 'process', 'not started');
        if (!isRunning(record)) return failed(component.name, 'process', `pid ${record.pid} is gone (see ${this.state.logFile(component.name)})`);
        return httpCheck(component.name, component.readyPath, `${component.url}${component.readyPath}`);
      }),
    );
    const byPort = new Map(Object.entries(this.settings.ports).map(([name, port]) => [`127.0.0.1:${port}`, name]));
    const ownerOf = (target: { scrapeUrl: string }) => {
      const address = new URL(target.scrapeUrl).host;
      return byPort.get(address) ?? (address === this.settings.rabbitmqMetrics ? 'rabbitmq' : address);
    };
    // Their own readiness is among the checks above; the API checks only make sense once it passed.
    const [prometheusReady, alertmanagerReady] = ['prometheus', 'alertmanager'].map((name) => checks.some((check) => check.component === name && check.ok));
    if (prometheusReady) checks.push(...(await prometheusApiChecks(this.component('prometheus')!.url, ownerOf)));
    if (alertmanagerReady) checks.push(await alertmanagerConfigCheck(this.component('alertmanager')!.url));
    return checks;
  }

  /**
   * Ends every component's process group (SIGTERM, then SIGKILL after 10 s): Prometheus and Alertmanager
   * first (no alerts about the rest going away), then the services, then the exporters and the stand-in.
   */
  async stop(names: string[] = this.components.map((component) => component.name)): Promise<void> {
    for (const kind of STOP_ORDER) {
      const tier = this.components.filter((component) => component.kind === kind && names.includes(component.name));
      await Promise.all(
        tier.map(async (component) => {
          const file = this.state.pidFile(component.name);
          const record = readPid(file);
          if (record && isRunning(record)) {
            const how = await stopGroup(record.pid);
            this.out(`  ${component.name.padEnd(18)} ${how === 'killed' ? 'killed (did not stop within 10 s of SIGTERM)' : 'stopped'} (pid ${record.pid})`);
          }
          removePid(file);
        }),
      );
    }
  }

  /** One row per component: name, state, pid, URL. */
  statusRows(): string[][] {
    return this.components.map((component) => {
      const record = this.pidOf(component.name);
      const state = !record ? 'stopped' : isRunning(record) ? 'running' : 'exited';
      return [component.name, state, state === 'running' ? String(record?.pid) : '-', component.url];
    });
  }
}

export const indent = (text: string, spaces = 2): string =>
  text
    .split('\n')
    .map((line) => `${' '.repeat(spaces)}${line}`)
    .join('\n');

/** A start's settings: those of the components still running, or new ones from the environment. */
export async function localSettingsForStart(state: StateDir, env: NodeJS.ProcessEnv, out: Out): Promise<StackSettings> {
  const previous = state.readSettings();
  if (previous?.mode === 'local') {
    const stack = new LocalStack(state, previous, out);
    const running = stack.components.filter((component) => stack.running(component.name));
    if (running.length > 0) {
      out(`${running.length} components are running already: keeping the settings they started with (${state.settingsFile})`);
      return previous;
    }
  }
  const settings = settingsFromEnv(env);
  settings.rabbitmqMetrics = await rabbitmqMetrics(settings, env, out);
  state.writeSettings(settings);
  return settings;
}
