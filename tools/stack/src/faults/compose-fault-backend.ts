import { ComposeStack } from '../compose-stack';
import { sleep } from '../processes';
import type { FaultBackend, FaultsApi } from './fault-command';
import { LoginAttack } from './login-attack';
import { ServiceFaultsClient, type RawAnswer } from './service-faults-api';
import { StoppedServices } from './stopped-services';

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

/** From inside the service's container, through `docker compose exec`. */
class ComposeServiceFaults extends ServiceFaultsClient {
  constructor(
    private readonly stack: ComposeStack,
    service: string,
  ) {
    super(service);
  }

  protected async send(method: string, path: string, body?: unknown): Promise<RawAnswer> {
    const env = ['-e', `FAULT_METHOD=${method}`, '-e', `FAULT_PATH=${path}`, ...(body === undefined ? [] : ['-e', `FAULT_BODY=${JSON.stringify(body)}`])];
    return JSON.parse(String(this.stack.composeOrThrow(['exec', '-T', ...env, this.service, 'node', '-e', CALL_FROM_INSIDE]))) as RawAnswer;
  }
}

/** Faults of the compose stack: switches through `exec`, stopped services with `compose stop`/`start`. */
export class ComposeFaultBackend implements FaultBackend {
  private readonly attack: LoginAttack;
  private readonly stopped: StoppedServices;

  constructor(
    private readonly stack: ComposeStack,
    readonly services: string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.attack = new LoginAttack(stack.state, env);
    this.stopped = new StoppedServices(stack.state);
  }

  faultsOf(service: string): FaultsApi {
    if (!this.services.includes(service)) throw new Error(`${service} is not a service of the stack`);
    return new ComposeServiceFaults(this.stack, service);
  }

  attackRunning(): string | undefined {
    return this.attack.running();
  }

  /** From this machine to the published gateway: the gateway sees Docker's address for it, not `ip`. */
  async startAttack(ip: string): Promise<string> {
    const started = await this.attack.start(this.stack.url('api-gateway'), ip);
    return `${started}; behind Docker's port publishing the gateway sees the bridge address, not ${ip}`;
  }

  stopAttack(): Promise<boolean> {
    return this.attack.stop();
  }

  /** Whether a service's container runs, from one `compose ps` and `docker inspect`. */
  private runningNow(): (service: string) => boolean {
    const running = new Set(this.stack.containers().filter((container) => container.state === 'running').map((container) => container.service));
    return (service) => running.has(service);
  }

  stoppedServices(): string[] {
    return this.stopped.list(this.runningNow());
  }

  async stopService(service: string): Promise<void> {
    this.stack.composeOrThrow(['stop', service]);
    this.stopped.add(service, this.runningNow());
  }

  async startStoppedServices(): Promise<boolean> {
    const stopped = this.stoppedServices();
    if (stopped.length === 0) return true;
    this.stack.composeOrThrow(['start', ...stopped]);
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const containers = this.stack.containers().filter((container) => stopped.includes(container.service));
      if (containers.length === stopped.length && containers.every(ComposeStack.settled)) {
        this.stopped.forget();
        return true;
      }
      await sleep(2_000);
    }
    return false;
  }
}
