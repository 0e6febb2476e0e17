import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '../layout';
import type { LocalStack } from '../local-stack';
import { isRunning, readPid, removePid, spawnDetached, stopGroup, writePid } from '../processes';
import type { FaultBackend, FaultsApi } from './fault-command';
import { ServiceFaultsApi } from './service-faults-api';

export const BRUTE_FORCE_SCRIPT = join(WORKSPACE_ROOT, 'tools/traffic/dist/brute-force.js');
const ATTACK = 'fault-login-brute-force';

/** Faults of the local stack: the services' switches over HTTP, the attack and stopped services as processes. */
export class LocalFaultBackend implements FaultBackend {
  readonly services: string[];

  constructor(
    private readonly stack: LocalStack,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {
    this.services = stack.components.filter((component) => component.kind === 'service').map((component) => component.name);
  }

  private get state() {
    return this.stack.state;
  }

  faultsOf(service: string): FaultsApi {
    if (this.stack.settings.faultInjection === false) {
      throw new Error('fault injection is off in this stack (it was started with AI_FINANCE_FAULT_INJECTION=off)');
    }
    const component = this.stack.component(service);
    if (!component || component.kind !== 'service') throw new Error(`${service} is not a service of the stack`);
    return new ServiceFaultsApi(service, component.url, this.state.secret('fault-injection-token'));
  }

  private get attackPidFile(): string {
    return this.state.path('faults', `${ATTACK}.pid`);
  }

  private get attackIpFile(): string {
    return this.state.path('faults', `${ATTACK}.ip`);
  }

  attackRunning(): string | undefined {
    const record = readPid(this.attackPidFile);
    if (!record || !isRunning(record)) return undefined;
    return existsSync(this.attackIpFile) ? readFileSync(this.attackIpFile, 'utf8').trim() : 'unknown address';
  }

  async startAttack(ip: string): Promise<string> {
    if (!existsSync(BRUTE_FORCE_SCRIPT)) throw new Error(`${BRUTE_FORCE_SCRIPT} is not built (npx nx run traffic-tools:build)`);
    await this.stopAttack();
    const gateway = this.stack.component('api-gateway')!.url;
    this.state.ensure('faults');
    const log = this.state.freshLog(ATTACK);
    const record = spawnDetached(process.execPath, [BRUTE_FORCE_SCRIPT, '--gateway', gateway, '--ip', ip], { env: { PATH: this.baseEnv.PATH }, cwd: WORKSPACE_ROOT, logFile: log });
    writePid(this.attackPidFile, record);
    writeFileSync(this.attackIpFile, `${ip}\n`);
    return `login-brute-force: failed logins from ${ip} against ${gateway} (pid ${record.pid}, log ${log})`;
  }

  async stopAttack(): Promise<boolean> {
    const record = readPid(this.attackPidFile);
    const running = record !== undefined && isRunning(record);
    if (running) await stopGroup(record.pid);
    removePid(this.attackPidFile);
    rmSync(this.attackIpFile, { force: true });
    return running;
  }

  private get stoppedFile(): string {
    return this.state.path('faults', 'stopped-services.json');
  }

  stoppedServices(): string[] {
    if (!existsSync(this.stoppedFile)) return [];
    const recorded = JSON.parse(readFileSync(this.stoppedFile, 'utf8')) as string[];
    return recorded.filter((service) => !this.stack.running(service));
  }

  async stopService(service: string): Promise<void> {
    if (!this.stack.running(service)) throw new Error(`${service} is not running`);
    await this.stack.stop([service]);
    this.state.ensure('faults');
    writeFileSync(this.stoppedFile, `${JSON.stringify([...new Set([...this.stoppedServices(), service])])}\n`);
  }

  async startStoppedServices(): Promise<boolean> {
    const started = await this.stack.start(this.baseEnv);
    if (started) rmSync(this.stoppedFile, { force: true });
    return started;
  }
}
