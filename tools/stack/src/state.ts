import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WORKSPACE_ROOT } from './layout';

export type StackMode = 'local' | 'compose';

/** What a local `start` decided, kept so that every later command works on the same stack. */
export interface StackSettings {
  mode: 'local';
  startedAt: string;
  /** Port of every component and extra listener. */
  ports: Record<string, number>;
  databaseUrl: string;
  redisUrl: string;
  rabbitmqUrl: string;
  eventsExchange?: string;
  queuePrefix?: string;
  redisKeyBase?: string;
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** host:port of RabbitMQ's Prometheus plugin, when Prometheus scrapes it. */
  rabbitmqMetrics?: string;
  /** SLO windows and Alertmanager timers divided by this (AI_FINANCE_ALERT_TIME_SCALE); 1 or absent: real time. */
  alertTimeScale?: number;
  /** Whether the services accept `fault` switches (AI_FINANCE_FAULT_INJECTION=off turns them off). */
  faultInjection?: boolean;
}

/** A log larger than this is moved to `<name>.log.1` (one generation) when its component starts. */
const LOG_ROTATE_BYTES = 20 * 1024 * 1024;

/**
 * The one folder (ignored by git) where the stack keeps what it runs on: settings, secrets, pid files,
 * logs, the generated Prometheus and Alertmanager configurations, their data, and backups.
 * MONITORING_STATE_DIR moves it, e.g. for a test run next to a developer's stack.
 */
export class StateDir {
  readonly root: string;

  constructor(root: string = process.env.MONITORING_STATE_DIR || join(WORKSPACE_ROOT, '.monitoring')) {
    this.root = resolve(root);
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Creates the folder (private to its owner) and the ones under it. */
  ensure(...parts: string[]): string {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const dir = this.path(...parts);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  pidFile(component: string): string {
    return this.path('pids', `${component}.pid`);
  }

  logFile(component: string): string {
    return this.path('logs', `${component}.log`);
  }

  /** The log a component starts writing to, after moving a large old one aside. */
  freshLog(component: string): string {
    this.ensure('logs');
    const file = this.logFile(component);
    if (existsSync(file) && statSync(file).size > LOG_ROTATE_BYTES) renameSync(file, `${file}.1`);
    return file;
  }

  private readonly secrets = new Map<string, string>();

  /** A random secret made on first use and kept (mode 600) for every later start; read once per process. */
  secret(name: string): string {
    const known = this.secrets.get(name);
    if (known !== undefined) return known;
    const file = this.path('secrets', name);
    if (!existsSync(file)) {
      this.ensure('secrets');
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    const value = readFileSync(file, 'utf8').trim();
    this.secrets.set(name, value);
    return value;
  }

  get settingsFile(): string {
    return this.path('stack.json');
  }

  readSettings(): StackSettings | undefined {
    if (!existsSync(this.settingsFile)) return undefined;
    return JSON.parse(readFileSync(this.settingsFile, 'utf8')) as StackSettings;
  }

  /** Writes the local stack's settings, and its mode. */
  writeSettings(settings: StackSettings): void {
    this.ensure();
    writeFileSync(this.settingsFile, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
    this.writeMode(settings.mode);
  }

  /** The mode of the last start, as one word for the shell script to read. */
  writeMode(mode: StackMode): void {
    this.ensure();
    writeFileSync(this.path('mode'), `${mode}\n`);
  }

  /** A scratch folder under the state folder, removed by the returned function. */
  scratch(label: string): { dir: string; remove: () => void } {
    const dir = this.path('tmp', `${label}-${process.pid}-${Date.now()}`);
    this.ensure('tmp');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
  }
}
