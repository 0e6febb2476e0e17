import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backup, type BackupTarget, restore, type RestoreParts, run, runBuffer } from './backup';
import { ENV_FILE, ensureEnvFile, missingRequired } from './env-file';
import { ComposeFaultBackend } from './faults/compose-fault-backend';
import { faultCommand } from './faults/fault-command';
import { alertmanagerChecks, type Check, failed, httpCheck, passed, printChecks, prometheusChecks } from './health';
import { request } from './http';
import { portVariable, servicePorts, WORKSPACE_ROOT } from './layout';
import { indent, type Out } from './local-stack';
import { findExecutable, sleep } from './processes';
import { report } from './report';
import type { StateDir } from './state';
import { table } from './table';

/*
 * The compose path: the same commands on docker-compose.enhanced.yml, through `docker compose` (or the
 * older `docker-compose`) and its `exec`. Container names are never assumed: containers are found by
 * their compose service label. HTTP checks use the ports the compose file publishes on this machine
 * (the seed's table), which AI_FINANCE_PORT_<NAME> changes if the compose file was given other ones.
 */

export const COMPOSE_FILE = join(WORKSPACE_ROOT, 'docker-compose.enhanced.yml');
export const NETWORK = 'ai_finance_network';

/** Published ports of the UIs and APIs, as in the seed's table. */
const PUBLISHED = { 'api-gateway': 3000, grafana: 3001, 'uptime-kuma': 3002, prometheus: 9090, alertmanager: 9093, kibana: 5601, jaeger: 16686 } as const;
type Published = keyof typeof PUBLISHED;

const START_TIMEOUT_MS = 5 * 60_000;

export interface Container {
  service: string;
  id: string;
  state: string;
  /** healthy, unhealthy, starting, or '' without a healthcheck. */
  health: string;
  exitCode: number;
}

export class ComposeStack {
  private composeCommand: string[] | undefined;

  constructor(
    readonly state: StateDir,
    private readonly out: Out,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  url(name: Published): string {
    const variable = this.env[portVariable(name)];
    return `http://127.0.0.1:${variable ? Number(variable) : PUBLISHED[name]}`;
  }

  /** `docker compose` when the plugin answers, else `docker-compose`. */
  private base(): string[] {
    if (!this.composeCommand) {
      const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
      if (plugin.status === 0) this.composeCommand = ['docker', 'compose'];
      else if (findExecutable(['docker-compose'])) this.composeCommand = ['docker-compose'];
      else throw new Error('neither `docker compose` nor `docker-compose` is installed');
    }
    return [...this.composeCommand, '-f', COMPOSE_FILE, '--env-file', ENV_FILE()];
  }

  /** Runs a compose command; output to this terminal unless captured. */
  compose(args: string[], options: { capture?: boolean; input?: string | Buffer; binary?: boolean } = {}): SpawnSyncReturns<Buffer | string> {
    const [command, ...rest] = this.base();
    return spawnSync(command, [...rest, ...args], {
      cwd: WORKSPACE_ROOT,
      env: this.env,
      input: options.input,
      encoding: options.binary ? 'buffer' : 'utf8',
      stdio: options.capture || options.binary || options.input !== undefined ? ['pipe', 'pipe', 'pipe'] : 'inherit',
      maxBuffer: 1024 * 1024 * 1024,
    });
  }

  /** A compose command whose failure is an error naming it; returns its stdout. */
  composeOrThrow(args: string[], options: { input?: string | Buffer; binary?: boolean } = {}): string | Buffer {
    const result = this.compose(args, { ...options, capture: true });
    if (result.error) throw new Error(`${this.base().join(' ')} ${args.join(' ')} could not run: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`${this.base()[0]} ... ${args.join(' ')} failed (exit ${result.status}): ${String(result.stderr).trim().slice(-800)}`);
    return result.stdout;
  }

  /** Every container of the project, by compose service. */
  containers(): Container[] {
    const ids = String(this.composeOrThrow(['ps', '-a', '-q'])).split('\n').map((id) => id.trim()).filter(Boolean);
    if (ids.length === 0) return [];
    const format = '{{.Id}}|{{index .Config.Labels "com.docker.compose.service"}}|{{.State.Status}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}|{{.State.ExitCode}}';
    return run('docker', ['inspect', '--format', format, ...ids])
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id, service, state, health, exitCode] = line.split('|');
        return { id, service, state, health, exitCode: Number(exitCode) };
      })
      .sort((a, b) => a.service.localeCompare(b.service));
  }

  private definedServices: string[] | undefined;

  /** The services the compose file defines (in the active profiles): asked once, it cannot change meanwhile. */
  services(): string[] {
    this.definedServices ??= String(this.composeOrThrow(['config', '--services'])).split('\n').map((name) => name.trim()).filter(Boolean).sort();
    return this.definedServices;
  }

  /** Running and healthy, running without a healthcheck, or a one-shot that finished with 0. */
  static settled(container: Container): boolean {
    if (container.state === 'exited') return container.exitCode === 0;
    return container.state === 'running' && (container.health === '' || container.health === 'healthy');
  }

  async run(command: string, args: string[]): Promise<number> {
    if (command !== 'start' && !existsSync(ENV_FILE())) {
      this.out(`${ENV_FILE()} does not exist: the compose stack was not started from here (./start-monitoring.sh start writes it)`);
      return 1;
    }
    switch (command) {
      case 'start':
        return (await this.start()) ? 0 : 1;
      case 'stop': {
        if (await new ComposeFaultBackend(this, Object.keys(servicePorts()), this.env).stopAttack()) this.out('login-brute-force stopped');
        const result = this.compose(['down', '--remove-orphans']);
        return result.status ?? 1;
      }
      case 'status':
        return this.status();
      case 'health':
        return printChecks(await this.health(), this.out) ? 0 : 1;
      case 'logs': {
        const follow = args[0] === '-f' || args[0] === '--follow';
        const names = follow ? args.slice(1) : args;
        return this.compose(['logs', '--tail', names.length === 1 ? '100' : '20', ...(follow ? ['--follow'] : []), ...names]).status ?? 1;
      }
      case 'report': {
        const services = Object.keys(servicePorts());
        return (await report({ prometheusUrl: this.url('prometheus'), alertmanagerUrl: this.url('alertmanager'), services, out: this.out })) ? 0 : 1;
      }
      case 'backup': {
        this.out('backing up the compose stack');
        this.out(`wrote ${await backup(new ComposeBackupTarget(this), this.state, this.out)}`);
        return 0;
      }
      case 'restore':
        await restore(new ComposeBackupTarget(this), this.state, args[0], this.out);
        this.out('restored');
        return 0;
      case 'fault':
        return faultCommand(args, new ComposeFaultBackend(this, Object.keys(servicePorts()), this.env), this.out);
      default:
        throw new Error(`unknown command ${command}`);
    }
  }

  /** .env, the network, `up -d`, then each container healthy in turn, then every check of `health`. */
  async start(): Promise<boolean> {
    const began = Date.now();
    const envFile = ensureEnvFile();
    this.out(envFile.created ? `wrote ${envFile.path} with new random credentials (mode 600); read them there` : `credentials: ${envFile.path}`);
    const missing = missingRequired(readFileSync(COMPOSE_FILE, 'utf8'), readFileSync(envFile.path, 'utf8'), this.env);
    if (missing.length > 0) {
      this.out(`fill these in ${envFile.path} first: ${missing.join(', ')}`);
      this.out('  they say where alerts go (Slack, SMTP, recipients, the watchdog); no random value would do (docs/stack.md, "Credentials")');
      return false;
    }
    if (spawnSync('docker', ['network', 'inspect', NETWORK], { stdio: 'ignore' }).status !== 0) {
      run('docker', ['network', 'create', NETWORK]);
      this.out(`created the docker network ${NETWORK}`);
    }
    this.state.writeMode('compose');
    this.out('docker compose up -d (images are built on the first start)');
    const up = this.compose(['up', '-d', '--remove-orphans']);
    if (up.status !== 0) {
      this.out(`compose up failed (exit ${up.status})`);
      return false;
    }
    const expected = this.services();
    const ready = new Set<string>();
    const deadline = Date.now() + START_TIMEOUT_MS;
    let lastProgress = Date.now();
    while (Date.now() < deadline) {
      const containers = this.containers();
      for (const container of containers) {
        if (!ready.has(container.service) && ComposeStack.settled(container)) {
          ready.add(container.service);
          this.out(`  ${container.service.padEnd(20)} ${container.state === 'exited' ? 'done' : container.health || 'running'} after ${((Date.now() - began) / 1000).toFixed(1)} s`);
        }
      }
      const broken = containers.filter((container) => container.health === 'unhealthy' || (container.state === 'exited' && container.exitCode !== 0));
      if (broken.length > 0) return this.failStart(broken.map((container) => container.service), 'is unhealthy or exited with an error');
      const waiting = expected.filter((service) => !ready.has(service));
      if (waiting.length === 0) break;
      if (Date.now() - lastProgress >= 10_000) {
        lastProgress = Date.now();
        this.out(`  still waiting for: ${waiting.join(', ')}`);
      }
      await sleep(2_000);
    }
    const late = expected.filter((service) => !ready.has(service));
    if (late.length > 0) return this.failStart(late, `did not become healthy within ${START_TIMEOUT_MS / 1000} s`);
    let checks: Check[] = [];
    const healthDeadline = Date.now() + 90_000;
    while (Date.now() < healthDeadline) {
      checks = await this.health();
      if (checks.every((check) => check.ok)) {
        this.out(`healthy: ${expected.length} containers; up in ${((Date.now() - began) / 1000).toFixed(1)} s`);
        this.out(`Grafana ${this.url('grafana')} (admin password in .env)  Prometheus ${this.url('prometheus')}  Alertmanager ${this.url('alertmanager')}`);
        return true;
      }
      await sleep(2_000);
    }
    return this.failStart([...new Set(checks.filter((check) => !check.ok).map((check) => check.component))], 'failed its health checks', checks);
  }

  private failStart(services: string[], why: string, checks: Check[] = []): false {
    for (const check of checks.filter((candidate) => !candidate.ok)) this.out(`  ${check.component}: ${check.what}: ${check.detail}`);
    const known = new Set(this.services());
    for (const service of services) {
      this.out(`\n${service} ${why}. Last lines of its log:`);
      if (known.has(service)) this.out(indent(String(this.compose(['logs', '--tail', '30', '--no-color', service], { capture: true }).stdout).trimEnd()));
    }
    this.out('\nThe other containers are left running for a look: `./start-monitoring.sh status`, `./start-monitoring.sh stop`.');
    return false;
  }

  status(): number {
    const containers = this.containers();
    this.out(`mode: compose (${COMPOSE_FILE}); credentials in ${join(WORKSPACE_ROOT, '.env')}`);
    if (containers.length === 0) {
      this.out('  no container: ./start-monitoring.sh start');
      return 0;
    }
    const urls: Record<string, string> = Object.fromEntries(Object.keys(PUBLISHED).map((name) => [name, this.url(name as Published)]));
    const rows = containers.map((container) => [
      container.service,
      container.state === 'exited' ? `exited (${container.exitCode})` : container.state,
      container.health || '-',
      urls[container.service] ?? '-',
    ]);
    table([['component', 'state', 'health', 'url'], ...rows]).forEach((line) => this.out(`  ${line}`));
    return 0;
  }

  /** Containers settled, Prometheus and Alertmanager as in local mode, Grafana, Elasticsearch, Kibana, Jaeger, Uptime Kuma. */
  async health(): Promise<Check[]> {
    const checks: Check[] = [];
    const containers = this.containers();
    const present = new Set(containers.map((container) => container.service));
    for (const service of this.services()) if (!present.has(service)) checks.push(failed(service, 'container', 'not created'));
    for (const container of containers) {
      checks.push(
        ComposeStack.settled(container)
          ? passed(container.service, 'container', container.health || container.state)
          : failed(container.service, 'container', `${container.state}${container.health ? `, ${container.health}` : ''}`),
      );
    }
    const ownerOf = (target: { scrapeUrl: string }) => new URL(target.scrapeUrl).hostname.replace(/^localhost$/, 'prometheus');
    checks.push(...(await prometheusChecks(this.url('prometheus'), ownerOf)));
    checks.push(...(await alertmanagerChecks(this.url('alertmanager'))));
    checks.push(await httpCheck('grafana', '/api/health', `${this.url('grafana')}/api/health`));
    checks.push(await this.elasticsearchCheck());
    checks.push(await this.kibanaCheck());
    checks.push(await httpCheck('jaeger', 'UI', `${this.url('jaeger')}/`));
    checks.push(await httpCheck('uptime-kuma', 'UI', `${this.url('uptime-kuma')}/`));
    return checks;
  }

  /** Elasticsearch is not published on the host: its cluster health is read from inside its container. */
  private async elasticsearchCheck(): Promise<Check> {
    const result = this.compose(['exec', '-T', 'elasticsearch', 'curl', '-s', 'http://localhost:9200/_cluster/health'], { capture: true });
    if (result.status !== 0) return failed('elasticsearch', '_cluster/health', `no answer (${String(result.stderr).trim().slice(-200)})`);
    try {
      const status = (JSON.parse(String(result.stdout)) as { status: string }).status;
      return status === 'red' ? failed('elasticsearch', '_cluster/health', 'red') : passed('elasticsearch', '_cluster/health', status);
    } catch {
      return failed('elasticsearch', '_cluster/health', `not JSON: ${String(result.stdout).slice(0, 200)}`);
    }
  }

  private async kibanaCheck(): Promise<Check> {
    const answer = await request(`${this.url('kibana')}/api/status`);
    if (!answer.ok) return failed('kibana', '/api/status', answer.error ?? `HTTP ${answer.status}`);
    try {
      const level = (JSON.parse(answer.body) as { status?: { overall?: { level?: string } } }).status?.overall?.level;
      return level === 'available' ? passed('kibana', '/api/status', level) : failed('kibana', '/api/status', `overall ${level ?? 'unknown'}`);
    } catch {
      return failed('kibana', '/api/status', 'not JSON');
    }
  }
}

/** Backup and restore through `docker compose exec` and `run`: the data lives in the containers' volumes. */
export class ComposeBackupTarget implements BackupTarget {
  readonly mode = 'compose' as const;
  private readonly platformServices = Object.keys(servicePorts());

  constructor(private readonly stack: ComposeStack) {}

  get prometheusUrl(): string {
    return this.stack.url('prometheus');
  }

  get alertmanagerUrl(): string {
    return this.stack.url('alertmanager');
  }

  private unpack(tar: Buffer, into: string): void {
    mkdirSync(into, { recursive: true });
    run('tar', ['-xf', '-', '-C', into], tar);
  }

  async takeSnapshot(name: string, into: string): Promise<void> {
    const tar = this.stack.composeOrThrow(['exec', '-T', 'prometheus', 'tar', '-cf', '-', '-C', `/prometheus/snapshots/${name}`, '.'], { binary: true }) as Buffer;
    this.unpack(tar, into);
    this.stack.composeOrThrow(['exec', '-T', 'prometheus', 'rm', '-rf', `/prometheus/snapshots/${name}`]);
  }

  async dumpDatabase(file: string): Promise<string> {
    const dump = this.stack.composeOrThrow(['exec', '-T', 'postgres', 'sh', '-c', 'pg_dump --no-owner --no-privileges -U "${POSTGRES_USER:-postgres}" -d "$POSTGRES_DB"']);
    writeFileSync(file, dump);
    return String(this.stack.composeOrThrow(['exec', '-T', 'postgres', 'sh', '-c', 'printf %s "$POSTGRES_DB"'])).trim();
  }

  async saveGrafana(into: string): Promise<string> {
    const tar = this.stack.composeOrThrow(['exec', '-T', 'grafana', 'tar', '-cf', '-', '-C', '/var/lib/grafana', '.'], { binary: true }) as Buffer;
    mkdirSync(into, { recursive: true });
    writeFileSync(join(into, 'grafana.tar'), tar);
    return `/var/lib/grafana (${tar.length} bytes)`;
  }

  async restorePreconditions(): Promise<string[]> {
    const running = new Set(this.stack.containers().filter((container) => container.state === 'running').map((container) => container.service));
    const problems = ['prometheus', 'alertmanager', 'postgres', 'grafana'].filter((service) => !running.has(service)).map((service) => `${service} is not running: ./start-monitoring.sh start first`);
    if (problems.length === 0 && !(await request(`${this.alertmanagerUrl}/-/ready`)).ok) problems.push(`Alertmanager does not answer on ${this.alertmanagerUrl}`);
    return problems;
  }

  async restoreData(parts: RestoreParts, out: Out): Promise<void> {
    const stopped = [...this.platformServices, 'prometheus', ...(parts.grafanaDir ? ['grafana'] : [])];
    out(`  stopping ${stopped.join(', ')}`);
    this.stack.composeOrThrow(['stop', ...stopped]);
    this.stack.composeOrThrow([
      'exec', '-T', 'postgres', 'sh', '-c',
      'psql -X -q -v ON_ERROR_STOP=1 -U "${POSTGRES_USER:-postgres}" -d postgres -c "DROP DATABASE IF EXISTS \\"$POSTGRES_DB\\" WITH (FORCE)" -c "CREATE DATABASE \\"$POSTGRES_DB\\""',
    ]);
    this.stack.composeOrThrow(['exec', '-T', 'postgres', 'sh', '-c', 'psql -X -q -v ON_ERROR_STOP=1 --single-transaction -U "${POSTGRES_USER:-postgres}" -d "$POSTGRES_DB"'], {
      input: readFileSync(parts.databaseDump),
    });
    out('  postgres: the database dropped and restored from the dump');
    const replaceVolume = (service: string, mount: string, tar: Buffer) =>
      this.stack.composeOrThrow(['run', '--rm', '--no-deps', '-T', '--entrypoint', 'sh', service, '-c', `rm -rf ${mount}/* && tar -xf - -C ${mount}`], { input: tar });
    replaceVolume('prometheus', '/prometheus', runBuffer('tar', ['-cf', '-', '-C', parts.snapshotDir, '.']));
    out('  prometheus: the TSDB volume replaced by the snapshot');
    if (parts.grafanaDir) {
      replaceVolume('grafana', '/var/lib/grafana', readFileSync(join(parts.grafanaDir, 'grafana.tar')));
      out('  grafana: its volume replaced by the backup');
    }
    out('  starting them again');
    if (!(await this.stack.start())) throw new Error('the stack did not come back healthy after the restore');
  }
}
