import Redis from 'ioredis';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteRedisKeys } from './cleanup';
import { freePort, uniqueName } from './ports';
import { runStartMonitoring, type ScriptRun } from './start-monitoring';
import { dropTestDatabase, testDatabaseUrl } from './test-database';
import { deleteRabbitNamespace } from './test-rabbitmq';

const RABBITMQ_PLUGIN = 'http://127.0.0.1:15692';

/** AI_FINANCE_PORT_PROMETHEUS for `prometheus`: the stack's own naming (tools/stack/src/layout.ts). */
const portVariable = (name: string): string => `AI_FINANCE_PORT_${name.toUpperCase().replace(/-/g, '_')}`;

/**
 * One run of the local stack (./start-monitoring.sh --local) that meets nothing else on this machine: a
 * state folder, free ports for every listener, and a database, exchange, queue prefix and Redis prefix
 * of its own, all removed by `remove()`.
 */
export class LocalStackRun {
  readonly runId: string;
  readonly database: string;
  readonly stateDir: string;
  readonly env: Record<string, string> = {};
  ports: Record<string, number> = {};

  constructor(label: string) {
    this.runId = uniqueName(label).replace(/[^a-z0-9]/gi, '_').toLowerCase();
    this.database = `test_${this.runId}`.slice(0, 60);
    this.stateDir = mkdtempSync(join(tmpdir(), `${label}-`));
  }

  /** Picks a distinct free port for each listener and fills `env`; `extra` is added last. */
  async prepare(listeners: string[], extra: Record<string, string> = {}): Promise<void> {
    const taken = new Set<number>();
    for (const name of listeners) {
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      this.ports[name] = port;
    }
    Object.assign(this.env, {
      MONITORING_STATE_DIR: this.stateDir,
      ...Object.fromEntries(Object.entries(this.ports).map(([name, port]) => [portVariable(name), String(port)])),
      DATABASE_URL: testDatabaseUrl(this.database),
      EVENTS_EXCHANGE: `${this.runId}.events`,
      RABBITMQ_QUEUE_PREFIX: `${this.runId}.`,
      AI_FINANCE_REDIS_KEY_BASE: `${this.runId}:`,
      ...extra,
    });
  }

  url(component: string): string {
    return `http://127.0.0.1:${this.ports[component]}`;
  }

  script(args: string[], timeoutMs?: number): Promise<ScriptRun> {
    return runStartMonitoring(['--local', ...args], this.env, timeoutMs);
  }

  /** Stops whatever still runs, then drops the database, Redis keys, queues, exchange and state folder. */
  async remove(): Promise<void> {
    await this.script(['stop'], 120_000).catch(() => undefined);
    await dropTestDatabase(this.database);

    const redis = new Redis('redis://127.0.0.1:6379');
    await deleteRedisKeys(redis, `${this.runId}:`);
    redis.disconnect();

    await deleteRabbitNamespace(`${this.runId}.events`, await queuesWithPrefix(`${this.runId}.`));
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** AMQP cannot list queues: RabbitMQ's Prometheus plugin (scraped by the stack) or rabbitmqctl can. */
async function queuesWithPrefix(prefix: string): Promise<string[]> {
  const perObject = await fetch(`${RABBITMQ_PLUGIN}/metrics/per-object`).catch(() => undefined);
  const text = perObject?.ok ? await perObject.text() : (spawnSync('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name'], { encoding: 'utf8' }).stdout ?? '');
  const names = perObject?.ok ? [...text.matchAll(/queue="([^"]+)"/g)].map((match) => match[1]) : text.split('\n').map((line) => line.trim());
  return [...new Set(names.filter((name) => name.startsWith(prefix)))];
}
