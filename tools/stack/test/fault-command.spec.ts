import { faultCommand, type FaultBackend, type FaultsApi } from '../src/faults/fault-command';
import { FAULT_SCENARIOS, parseAttackerIp, parseFaultValue } from '../src/faults/fault-scenarios';
import type { ServiceFault } from '../src/faults/service-faults-api';

/*
 * The command-line side of `./start-monitoring.sh fault`: arguments, values and what is printed. The
 * services' switches themselves are tested in libs/observability and each service; the whole path,
 * script to alert, in tests/e2e.
 */

/** A backend that remembers what was asked, standing for the mode's transport (HTTP or compose exec). */
class RecordingBackend implements FaultBackend {
  readonly services = ['payment', 'trading', 'market-data', 'signals', 'portfolio'];
  readonly calls: string[] = [];
  attacker: string | undefined;
  stopped: string[] = [];

  faultsOf(service: string): FaultsApi {
    const calls = this.calls;
    const entry = (name: string, active: boolean, value: number | null): ServiceFault => ({ name, description: '', parameter: null, active, value, since: active ? '2026-11-26T10:00:00.000Z' : null });
    return {
      list: async () => (service === 'payment' ? [entry('payment-provider-errors', true, 50)] : []),
      activate: async (fault, value) => (calls.push(`${service} PUT ${fault} ${value ?? '-'}`), entry(fault, true, value ?? null)),
      clear: async (fault) => (calls.push(`${service} DELETE ${fault}`), entry(fault, false, null)),
      clearAll: async () => (calls.push(`${service} DELETE all`), service === 'payment' ? ['payment-provider-errors'] : []),
    };
  }

  async startAttack(ip: string): Promise<string> {
    this.attacker = ip;
    return `attack from ${ip}`;
  }

  async stopAttack(): Promise<boolean> {
    const was = this.attacker !== undefined;
    this.attacker = undefined;
    return was;
  }

  attackRunning(): string | undefined {
    return this.attacker;
  }

  async stopService(service: string): Promise<void> {
    this.stopped.push(service);
  }

  stoppedServices(): string[] {
    return this.stopped;
  }

  async startStoppedServices(): Promise<boolean> {
    this.stopped = [];
    return true;
  }
}

async function fault(backend: RecordingBackend, ...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await faultCommand(args, backend, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

describe('./start-monitoring.sh fault: arguments and values', () => {
  it('reads percentages and milliseconds with or without their unit, and refuses anything else saying what is allowed', () => {
    const percent = FAULT_SCENARIOS.find((scenario) => scenario.name === 'payment-provider-errors')!.target;
    const delay = FAULT_SCENARIOS.find((scenario) => scenario.name === 'trading-latency')!.target;
    if (percent.kind !== 'service' || !percent.parameter || delay.kind !== 'service' || !delay.parameter) throw new Error('the catalogue changed');
    expect([parseFaultValue(percent.parameter, '50%'), parseFaultValue(percent.parameter, '50'), parseFaultValue(delay.parameter, '500ms'), parseFaultValue(delay.parameter, '500')]).toEqual([50, 50, 500, 500]);
    expect(() => parseFaultValue(percent.parameter!, '150%')).toThrow('"150%" is not a whole number from 1 to 100 (percent, e.g. 50%)');
    expect(() => parseFaultValue(percent.parameter!, '0.5')).toThrow('is not a whole number');
    expect(() => parseFaultValue(delay.parameter!, '2s')).toThrow('"2s" is not a whole number from 1 to 60000 (milliseconds, e.g. 500ms)');
    expect(() => parseFaultValue(delay.parameter!, undefined)).toThrow('needs a whole number from 1 to 60000');
  });

  it('takes the attacker address only from the loopback range, where this machine can send from it', () => {
    expect([parseAttackerIp(undefined), parseAttackerIp('127.66.0.9')]).toEqual(['127.66.0.1', '127.66.0.9']);
    expect(() => parseAttackerIp('203.0.113.7')).toThrow('"203.0.113.7" is not an IPv4 loopback address');
    expect(() => parseAttackerIp('127.0.0.300')).toThrow('is not an IPv4 loopback address');
  });

  it("switches a service's fault with its value, and says which alerts to expect and how to clear it", async () => {
    const backend = new RecordingBackend();
    const result = await fault(backend, 'payment-provider-errors', '50%');
    expect(result.code).toBe(0);
    expect(backend.calls).toEqual(['payment PUT payment-provider-errors 50']);
    expect(result.output).toContain('payment-provider-errors on payment: on, 50% since 2026-11-26T10:00:00.000Z');
    expect(result.output).toContain('expected alerts: HighErrorRate{payment}, ErrorBudgetFastBurn{payment}');
    expect(result.output).toContain('./start-monitoring.sh fault clear payment-provider-errors');
  });

  it('refuses an unknown fault (exit 2), a missing or bad value, a value given to a switch, and an unknown service (exit 1), touching nothing', async () => {
    const backend = new RecordingBackend();
    expect(await fault(backend, 'payment-meltdown')).toEqual({ code: 2, output: expect.stringContaining('unknown fault "payment-meltdown"; the faults are: payment-provider-errors,') });
    expect(await fault(backend, 'payment-provider-errors')).toEqual({ code: 1, output: expect.stringContaining('fault payment-provider-errors: needs a whole number from 1 to 100') });
    expect(await fault(backend, 'market-data-stall', '10')).toEqual({ code: 1, output: 'fault market-data-stall: takes no value (got "10")' });
    expect(await fault(backend, 'service-stopped', 'nginx')).toEqual({ code: 1, output: expect.stringContaining('fault service-stopped: needs one of the services: payment, trading') });
    expect(await fault(backend, 'trading-latency', '5', 'extra')).toEqual({ code: 2, output: expect.stringContaining('takes at most one value') });
    expect(backend.calls).toEqual([]);
  });

  it('clear switches everything off: every service with faults, the attack, and starts stopped services again', async () => {
    const backend = new RecordingBackend();
    await fault(backend, 'login-brute-force');
    await fault(backend, 'service-stopped', 'portfolio');
    expect((await fault(backend)).output).toBe(['active faults:', '  payment-provider-errors on payment: on, 50% since 2026-11-26T10:00:00.000Z', '  login-brute-force: running from 127.66.0.1', '  service-stopped: portfolio'].join('\n'));
    const cleared = await fault(backend, 'clear');
    expect(cleared.code).toBe(0);
    expect(cleared.output).toContain('payment: cleared payment-provider-errors');
    expect(cleared.output).toContain('login-brute-force: stopped');
    expect(cleared.output).toContain('service-stopped: portfolio running again');
    expect(backend.calls.filter((call) => call.endsWith('DELETE all')).map((call) => call.split(' ')[0]).sort()).toEqual(['market-data', 'payment', 'signals', 'trading']);
  });

  it('lists every fault with the alerts it should raise', async () => {
    const list = await fault(new RecordingBackend(), 'list');
    for (const scenario of FAULT_SCENARIOS) {
      expect(list.output).toContain(scenario.usage);
      expect(list.output).toContain(`raises: ${scenario.alerts.join(', ')}`);
    }
  });
});
