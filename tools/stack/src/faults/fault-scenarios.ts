/*
 * The faults an operator can switch on and off in a running stack (`./start-monitoring.sh fault ...`),
 * each with the alerts it is meant to raise. Service faults are switched through the service's own
 * /admin/faults API (docs/fault-injection.md); the other two are done to the stack from outside: a login
 * attack from one address, and a stopped service.
 */

export interface FaultParameter {
  /** The field the service's API takes. */
  name: string;
  unit: '%' | 'ms';
  min: number;
  max: number;
  example: string;
}

export type FaultTarget =
  | { kind: 'service'; service: string; fault: string; parameter?: FaultParameter }
  | { kind: 'login-brute-force' }
  | { kind: 'service-stopped' };

export interface FaultScenario {
  name: string;
  usage: string;
  summary: string;
  target: FaultTarget;
  /** What should fire, as `AlertName` or `AlertName{label}` (docs/alerting.md has the measured times). */
  alerts: string[];
}

export const DEFAULT_ATTACKER_IP = '127.66.0.1';

export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  {
    name: 'payment-provider-errors',
    usage: 'payment-provider-errors <percent>',
    summary: 'both payment providers answer that share of charges with an error; a payment fails when the backup fails too (50% → 25% of payments)',
    target: { kind: 'service', service: 'payment', fault: 'payment-provider-errors', parameter: { name: 'percent', unit: '%', min: 1, max: 100, example: '50%' } },
    alerts: ['HighErrorRate{payment}', 'ErrorBudgetFastBurn{payment}', 'PaymentProviderFailover', 'PaymentFailureRateHigh'],
  },
  {
    name: 'payment-provider-down',
    usage: 'payment-provider-down',
    summary: 'the primary payment provider answers every charge with an error: every payment fails over to the backup',
    target: { kind: 'service', service: 'payment', fault: 'payment-provider-down' },
    alerts: ['PaymentProviderFailover'],
  },
  {
    name: 'trading-latency',
    usage: 'trading-latency <milliseconds>',
    summary: 'adds that delay before every fill',
    target: { kind: 'service', service: 'trading', fault: 'trading-latency', parameter: { name: 'delayMs', unit: 'ms', min: 1, max: 60_000, example: '500ms' } },
    alerts: ['TradingDegraded{execution_latency}', 'SlowResponses{trading}', 'ErrorBudgetFastBurn{trading,latency}'],
  },
  {
    name: 'market-data-stall',
    usage: 'market-data-stall',
    summary: 'the price feed stops ticking; quotes are still served, and go stale',
    target: { kind: 'service', service: 'market-data', fault: 'market-data-stall' },
    alerts: ['MarketDataStale'],
  },
  {
    name: 'signal-accuracy-drop',
    usage: 'signal-accuracy-drop',
    summary: 'every new signal points the wrong way; accuracy falls as they are scored',
    target: { kind: 'service', service: 'signals', fault: 'signal-accuracy-drop' },
    alerts: ['SignalAccuracyDegraded'],
  },
  {
    name: 'login-brute-force',
    usage: `login-brute-force [ip, default ${DEFAULT_ATTACKER_IP}]`,
    summary: 'failed logins at the gateway from one address, about 2 a second, until cleared',
    target: { kind: 'login-brute-force' },
    alerts: ['LoginBruteForce'],
  },
  {
    name: 'service-stopped',
    usage: 'service-stopped <service>',
    summary: "stops one service's process (SIGTERM); `fault clear` starts it again",
    target: { kind: 'service-stopped' },
    alerts: ['ServiceDown (its other alerts are inhibited)'],
  },
];

export function faultScenario(name: string): FaultScenario | undefined {
  return FAULT_SCENARIOS.find((scenario) => scenario.name === name);
}

/** `50%`, `50` → 50; `500ms`, `500` → 500; anything else, or out of range, is refused with what is allowed. */
export function parseFaultValue(parameter: FaultParameter, text: string | undefined): number {
  const allowed = `a whole number from ${parameter.min} to ${parameter.max}${parameter.unit === '%' ? ' (percent, e.g. 50%)' : ' (milliseconds, e.g. 500ms)'}`;
  if (text === undefined || text === '') throw new Error(`needs ${allowed}`);
  const match = parameter.unit === '%' ? /^(\d+)%?$/.exec(text) : /^(\d+)(?:ms)?$/.exec(text);
  const value = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(value) || value < parameter.min || value > parameter.max) throw new Error(`"${text}" is not ${allowed}`);
  return value;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** The attacker's source address: an IPv4 loopback address, since it must be bound on this machine. */
export function parseAttackerIp(text: string | undefined): string {
  const ip = text ?? DEFAULT_ATTACKER_IP;
  if (!IPV4.test(ip) || !ip.startsWith('127.')) throw new Error(`"${ip}" is not an IPv4 loopback address (127.x.y.z) this machine can send from`);
  return ip;
}

/** Text of `fault help`: every scenario, its argument and what it should raise. */
export function faultUsage(): string[] {
  const width = Math.max(...FAULT_SCENARIOS.map((scenario) => scenario.usage.length));
  return FAULT_SCENARIOS.flatMap((scenario) => [`  ${scenario.usage.padEnd(width)}  ${scenario.summary}`, `  ${''.padEnd(width)}  raises: ${scenario.alerts.join(', ')}`]);
}
