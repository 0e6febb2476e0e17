import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { LocalStack } from '../local-stack';
import type { FaultBackend, FaultsApi } from './fault-command';
import { LoginAttack } from './login-attack';
import { HttpServiceFaults } from './service-faults-api';


/** Faults of the local stack: the services' switches over HTTP, the attack and stopped services as processes. */
export class LocalFaultBackend implements FaultBackend {
  readonly services: string[];
  private readonly attack: LoginAttack;

  constructor(
    private readonly stack: LocalStack,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {
    this.attack = new LoginAttack(stack.state, baseEnv);
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
    return new HttpServiceFaults(service, component.url, this.state.secret('fault-injection-token'));
  }

  attackRunning(): string | undefined {
    return this.attack.running();
  }

  startAttack(ip: string): Promise<string> {
    return this.attack.start(this.stack.component('api-gateway')!.url, ip);
  }

  stopAttack(): Promise<boolean> {
    return this.attack.stop();
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
