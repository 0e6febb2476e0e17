import type { LocalStack } from '../local-stack';
import type { FaultBackend, FaultsApi } from './fault-command';
import { LoginAttack } from './login-attack';
import { HttpServiceFaults } from './service-faults-api';
import { StoppedServices } from './stopped-services';

/** Faults of the local stack: the services' switches over HTTP, the attack and stopped services as processes. */
export class LocalFaultBackend implements FaultBackend {
  readonly services: string[];
  private readonly attack: LoginAttack;
  private readonly stopped: StoppedServices;

  constructor(
    private readonly stack: LocalStack,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {
    this.attack = new LoginAttack(stack.state, baseEnv);
    this.stopped = new StoppedServices(stack.state);
    this.services = stack.components.filter((component) => component.kind === 'service').map((component) => component.name);
  }

  faultsOf(service: string): FaultsApi {
    if (this.stack.settings.faultInjection === false) {
      throw new Error('fault injection is off in this stack (it was started with AI_FINANCE_FAULT_INJECTION=off)');
    }
    const component = this.stack.component(service);
    if (!component || component.kind !== 'service') throw new Error(`${service} is not a service of the stack`);
    return new HttpServiceFaults(service, component.url, this.stack.state.secret('fault-injection-token'));
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

  stoppedServices(): string[] {
    return this.stopped.list((service) => this.stack.running(service));
  }

  async stopService(service: string): Promise<void> {
    if (!this.stack.running(service)) throw new Error(`${service} is not running`);
    await this.stack.stop([service]);
    this.stopped.add(service, (name) => this.stack.running(name));
  }

  async startStoppedServices(): Promise<boolean> {
    const started = await this.stack.start(this.baseEnv);
    if (started) this.stopped.forget();
    return started;
  }
}
