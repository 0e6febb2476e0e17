import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ComposeStack } from '../compose-stack';
import { WORKSPACE_ROOT } from '../layout';
import { isRunning, readPid, removePid, sleep, spawnDetached, stopGroup, writePid } from '../processes';
import type { FaultBackend, FaultsApi } from './fault-command';
import { BRUTE_FORCE_SCRIPT } from './local-fault-backend';
import type { ServiceFault } from './service-faults-api';

/*
 * Under compose only api-gateway publishes a port, so a service's /admin/faults is called from inside its
 * container (`docker compose exec`), where PORT and FAULT_INJECTION_TOKEN already are: the token never
 * leaves the container.
 */
const CALL_FROM_INSIDE = [
  'const { FAULT_METHOD: method, FAULT_PATH: path, FAULT_BODY: body, PORT: port, FAULT_INJECTION_TOKEN: token } = process.env;',
  "fetch('http://127.0.0.1:' + port + path, { method, body: body || undefined, signal: AbortSignal.timeout(5000),",
  "  headers: { authorization: 'Bearer ' + (token || ''), ...(body ? { 'content-type': 'application/json' } : {}) } })",
  '  .then(async (response) => process.stdout.write(JSON.stringify({ status: response.status, body: await response.text() })))',
  '  .catch((error) => { process.stderr.write(String(error && error.message)); process.exit(1); });',
].join('\n');

class ComposeFaultsApi implements FaultsApi {
  constructor(
    private readonly stack: ComposeStack,
    private readonly service: string,
  ) {}

  list(): Promise<ServiceFault[]> {
    return this.call<{ faults: ServiceFault[] }>('GET', '/admin/faults').then((body) => body.faults);
  }

  activate(fault: string, value?: number): Promise<ServiceFault> {
    return this.call('PUT', `/admin/faults/${encodeURIComponent(fault)}`, value === undefined ? {} : { value });
  }

  clear(fault: string): Promise<ServiceFault> {
    return this.call('DELETE', `/admin/faults/${encodeURIComponent(fault)}`);
  }

  clearAll(): Promise<string[]> {
    return this.call<{ cleared: string[] }>('DELETE', '/admin/faults').then((body) => body.cleared);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const env = ['-e', `FAULT_METHOD=${method}`, '-e', `FAULT_PATH=${path}`, ...(body === undefined ? [] : ['-e', `FAULT_BODY=${JSON.stringify(body)}`])];
    const output = String(this.stack.composeOrThrow(['exec', '-T', ...env, this.service, 'node', '-e', CALL_FROM_INSIDE]));
    const answer = JSON.parse(output) as { status: number; body: string };
    if (answer.status >= 200 && answer.status < 300) return JSON.parse(answer.body) as T;
    let reason = answer.body;
    try {
      reason = (JSON.parse(answer.body) as { message?: string }).message ?? answer.body;
    } catch {
      // not JSON: the body as it came
    }
    throw new Error(`${this.service} refused ${method} ${path}: HTTP ${answer.status} ${reason}`);
  }
}

const STOPPED_FILE = 'stopped-services.json';
const ATTACK = 'fault-login-brute-force';

/** Faults of the compose stack: switches through `exec`, stopped services with `compose stop`/`start`. */
export class ComposeFaultBackend implements FaultBackend {
  constructor(
    private readonly stack: ComposeStack,
    readonly services: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  faultsOf(service: string): FaultsApi {
    if (!this.services.includes(service)) throw new Error(`${service} is not a service of the stack`);
    return new ComposeFaultsApi(this.stack, service);
  }

  attackRunning(): string | undefined {
    const record = readPid(this.stack.state.path('faults', `${ATTACK}.pid`));
    if (!record || !isRunning(record)) return undefined;
    const ipFile = this.stack.state.path('faults', `${ATTACK}.ip`);
    return existsSync(ipFile) ? readFileSync(ipFile, 'utf8').trim() : 'unknown address';
  }

  /** From this machine to the published gateway: the gateway sees Docker's address for it, not `ip`. */
  async startAttack(ip: string): Promise<string> {
    if (!existsSync(BRUTE_FORCE_SCRIPT)) throw new Error(`${BRUTE_FORCE_SCRIPT} is not built (npx nx run traffic-tools:build)`);
    await this.stopAttack();
    const { state } = this.stack;
    state.ensure('faults');
    const gateway = this.stack.url('api-gateway');
    const log = state.freshLog(ATTACK);
    const record = spawnDetached(process.execPath, [BRUTE_FORCE_SCRIPT, '--gateway', gateway, '--ip', ip], { env: { PATH: this.env.PATH }, cwd: WORKSPACE_ROOT, logFile: log });
    writePid(state.path('faults', `${ATTACK}.pid`), record);
    writeFileSync(state.path('faults', `${ATTACK}.ip`), `${ip}\n`);
    return `login-brute-force: failed logins against ${gateway} (pid ${record.pid}, log ${log}); behind Docker's port publishing the gateway sees the bridge address, not ${ip}`;
  }

  async stopAttack(): Promise<boolean> {
    const file = this.stack.state.path('faults', `${ATTACK}.pid`);
    const record = readPid(file);
    const running = record !== undefined && isRunning(record);
    if (running) await stopGroup(record.pid);
    removePid(file);
    rmSync(this.stack.state.path('faults', `${ATTACK}.ip`), { force: true });
    return running;
  }

  stoppedServices(): string[] {
    const file = this.stack.state.path('faults', STOPPED_FILE);
    if (!existsSync(file)) return [];
    const running = new Set(
      this.stack
        .containers()
        .filter((container) => container.state === 'running')
        .map((container) => container.service),
    );
    return (JSON.parse(readFileSync(file, 'utf8')) as string[]).filter((service) => !running.has(service));
  }

  async stopService(service: string): Promise<void> {
    this.stack.composeOrThrow(['stop', service]);
    this.stack.state.ensure('faults');
    writeFileSync(this.stack.state.path('faults', STOPPED_FILE), `${JSON.stringify([...new Set([...this.stoppedServices(), service])])}\n`);
  }

  async startStoppedServices(): Promise<boolean> {
    const stopped = this.stoppedServices();
    if (stopped.length === 0) return true;
    this.stack.composeOrThrow(['start', ...stopped]);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const containers = this.stack.containers().filter((container) => stopped.includes(container.service));
      if (containers.length === stopped.length && containers.every((container) => container.state === 'running' && container.health !== 'unhealthy' && container.health !== 'starting')) {
        rmSync(this.stack.state.path('faults', STOPPED_FILE), { force: true });
        return true;
      }
      await sleep(2_000);
    }
    return false;
  }
}
