import { faultScenario, faultUsage, FAULT_SCENARIOS, parseAttackerIp, parseFaultValue, type FaultScenario } from './fault-scenarios';
import type { ServiceFault } from './service-faults-api';

type Out = (line: string) => void;

/** A service's fault switches, however they are reached (HTTP in local mode, `docker compose exec` under compose). */
export interface FaultsApi {
  list(): Promise<ServiceFault[]>;
  activate(fault: string, value?: number): Promise<ServiceFault>;
  clear(fault: string): Promise<ServiceFault>;
  clearAll(): Promise<string[]>;
}

/** What a mode does for the faults that are not a service's own switch. */
export interface FaultBackend {
  services: string[];
  faultsOf(service: string): FaultsApi;
  /** Starts (or restarts with a new address) the login attack; returns a line saying where it runs. */
  startAttack(ip: string): Promise<string>;
  /** Stops the attack; false if none was running. */
  stopAttack(): Promise<boolean>;
  /** The attack's address while it runs. */
  attackRunning(): string | undefined;
  stopService(service: string): Promise<void>;
  /** Services that `service-stopped` stopped and that are still down. */
  stoppedServices(): string[];
  /** Starts them again and waits until they are ready; false, after saying why, if one is not. */
  startStoppedServices(): Promise<boolean>;
}

/** The services that have a fault of their own (the others keep their switches shut or have none). */
const servicesWithFaults = (): string[] => [...new Set(FAULT_SCENARIOS.flatMap((scenario) => (scenario.target.kind === 'service' ? [scenario.target.service] : [])))];

const describe = (fault: ServiceFault, unit = ''): string =>
  fault.active ? `on${fault.value !== null ? `, ${fault.value}${unit}` : ''}${fault.since ? ` since ${fault.since}` : ''}` : 'off';

/** `fault <scenario> [value]`, `fault clear [scenario]`, `fault status`, `fault list`: 0 done, 1 refused, 2 usage. */
export async function faultCommand(args: string[], backend: FaultBackend, out: Out): Promise<number> {
  const [word, argument, ...extra] = args;
  if (word === undefined || word === 'status') return status(backend, out);
  if (word === 'list' || word === 'help') {
    out('Faults (./start-monitoring.sh fault <fault> [value]; ./start-monitoring.sh fault clear [fault]):');
    faultUsage().forEach(out);
    return 0;
  }
  if (word === 'clear') return argument === undefined ? clearAll(backend, out) : clearOne(argument, backend, out);
  const scenario = faultScenario(word);
  if (!scenario) {
    out(`unknown fault "${word}"; the faults are: ${FAULT_SCENARIOS.map((candidate) => candidate.name).join(', ')} (fault list says more)`);
    return 2;
  }
  if (extra.length > 0) {
    out(`fault ${scenario.usage} takes at most one value (got: ${args.slice(1).join(' ')})`);
    return 2;
  }
  try {
    await activate(scenario, argument, backend, out);
    out(`expected alerts: ${scenario.alerts.join(', ')}; switch it off with: ./start-monitoring.sh fault clear ${scenario.name}`);
    return 0;
  } catch (error) {
    out(`fault ${scenario.name}: ${(error as Error).message}`);
    return 1;
  }
}

async function activate(scenario: FaultScenario, argument: string | undefined, backend: FaultBackend, out: Out): Promise<void> {
  const { target } = scenario;
  switch (target.kind) {
    case 'service': {
      if (!target.parameter && argument !== undefined) throw new Error(`takes no value (got "${argument}")`);
      const value = target.parameter ? parseFaultValue(target.parameter, argument) : undefined;
      const fault = await backend.faultsOf(target.service).activate(target.fault, value);
      out(`${scenario.name} on ${target.service}: ${describe(fault, target.parameter?.unit)}`);
      return;
    }
    case 'login-brute-force':
      out(await backend.startAttack(parseAttackerIp(argument)));
      return;
    case 'service-stopped': {
      if (argument === undefined || !backend.services.includes(argument)) throw new Error(`needs one of the services: ${backend.services.join(', ')}`);
      await backend.stopService(argument);
      out(`${argument} stopped`);
      return;
    }
  }
}

async function clearOne(name: string, backend: FaultBackend, out: Out): Promise<number> {
  const scenario = faultScenario(name);
  if (!scenario) {
    out(`unknown fault "${name}"; the faults are: ${FAULT_SCENARIOS.map((candidate) => candidate.name).join(', ')}`);
    return 2;
  }
  try {
    const { target } = scenario;
    if (target.kind === 'service') {
      await backend.faultsOf(target.service).clear(target.fault);
      out(`${name} on ${target.service}: off`);
    } else if (target.kind === 'login-brute-force') {
      out((await backend.stopAttack()) ? 'login-brute-force: stopped' : 'login-brute-force: was not running');
    } else {
      const stopped = backend.stoppedServices();
      if (stopped.length === 0) out('service-stopped: no service was stopped by a fault');
      else if (!(await backend.startStoppedServices())) return 1;
      else out(`service-stopped: ${stopped.join(', ')} running again`);
    }
    return 0;
  } catch (error) {
    out(`clear ${name}: ${(error as Error).message}`);
    return 1;
  }
}

/** Every service's switches off, the attack stopped, stopped services started: what could be done is done. */
async function clearAll(backend: FaultBackend, out: Out): Promise<number> {
  const problems: string[] = [];
  const stopped = backend.stoppedServices();
  await Promise.all(
    servicesWithFaults()
      .filter((service) => !stopped.includes(service))
      .map(async (service) => {
        try {
          const cleared = await backend.faultsOf(service).clearAll();
          if (cleared.length > 0) out(`${service}: cleared ${cleared.join(', ')}`);
        } catch (error) {
          problems.push((error as Error).message);
        }
      }),
  );
  if (await backend.stopAttack()) out('login-brute-force: stopped');
  if (stopped.length > 0) {
    if (await backend.startStoppedServices()) out(`service-stopped: ${stopped.join(', ')} running again`);
    else problems.push(`could not start ${stopped.join(', ')} again`);
  }
  for (const problem of problems) out(`not cleared: ${problem}`);
  out(problems.length === 0 ? 'no fault is active' : 'some faults may still be active (see above)');
  return problems.length === 0 ? 0 : 1;
}

async function status(backend: FaultBackend, out: Out): Promise<number> {
  const stopped = backend.stoppedServices();
  const problems: string[] = [];
  // One listing per service, however many of its faults the catalogue names.
  const listed = new Map<string, ServiceFault[]>();
  await Promise.all(
    servicesWithFaults()
      .filter((service) => !stopped.includes(service))
      .map(async (service) => {
        try {
          listed.set(service, await backend.faultsOf(service).list());
        } catch (error) {
          problems.push((error as Error).message);
        }
      }),
  );
  const active: string[] = [];
  for (const scenario of FAULT_SCENARIOS) {
    const { target } = scenario;
    if (target.kind !== 'service') continue;
    const fault = listed.get(target.service)?.find((candidate) => candidate.name === target.fault);
    if (fault?.active) active.push(`${scenario.name} on ${target.service}: ${describe(fault, target.parameter?.unit)}`);
  }
  const attacker = backend.attackRunning();
  if (attacker) active.push(`login-brute-force: running from ${attacker}`);
  for (const service of stopped) active.push(`service-stopped: ${service}`);
  out(active.length === 0 ? 'no fault is active' : `active faults:\n${active.map((line) => `  ${line}`).join('\n')}`);
  for (const problem of problems) out(`could not read: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}
