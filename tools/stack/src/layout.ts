import { PROMETHEUS_CONFIG_PATH, serviceAddresses } from '@ai-finance/monitoring-tools/dist/local-prometheus';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

let ports: Readonly<Record<string, number>> | undefined;

/**
 * The ten services and the port each listens on, from its image's PORT build argument in the compose file
 * (read once): `{ payment: 3020 }`. Not the scrape address: api-gateway is scraped on its management port
 * under compose, while local mode, bound to 127.0.0.1, runs it on one port.
 */
export function servicePorts(): Readonly<Record<string, number>> {
  if (ports) return ports;
  const compose = parse(readFileSync(join(WORKSPACE_ROOT, 'docker-compose.enhanced.yml'), 'utf8')) as {
    services: Record<string, { build?: { args?: { PORT?: string } } }>;
  };
  ports = Object.fromEntries(
    Object.keys(serviceAddresses(PROMETHEUS_CONFIG_PATH)).map((name) => {
      const port = Number(compose.services[name]?.build?.args?.PORT);
      if (!Number.isInteger(port)) throw new Error(`docker-compose.enhanced.yml gives ${name} no PORT build argument`);
      return [name, port];
    }),
  );
  return ports;
}

export type ComponentKind = 'service' | 'monitoring' | 'exporter' | 'stand-in';

/** One process of the local stack. */
export interface ComponentSpec {
  name: string;
  kind: ComponentKind;
  /** Its port when AI_FINANCE_PORT_BASE is not set. */
  defaultPort: number;
  /** Its address in prometheus.yml, when Prometheus scrapes it. */
  composeAddress?: string;
  /** Path answered with 2xx once it is ready. */
  readyPath: string;
  /** How long start waits for it. */
  readyTimeoutMs: number;
}

const SERVICE_READY_TIMEOUT_MS = 60_000;
const PROGRAM_READY_TIMEOUT_MS = 30_000;

/**
 * Everything local mode runs, in start order: the stand-in receivers and the exporters first (quick, and
 * Prometheus scrapes them), the services, then Alertmanager and Prometheus.
 */
export function componentSpecs(): ComponentSpec[] {
  const exporter = (name: string, defaultPort: number): ComponentSpec => ({
    name,
    kind: 'exporter',
    defaultPort,
    composeAddress: `${name}:${defaultPort}`,
    readyPath: '/metrics',
    readyTimeoutMs: PROGRAM_READY_TIMEOUT_MS,
  });
  const scrapeAddresses = serviceAddresses(PROMETHEUS_CONFIG_PATH);
  return [
    { name: 'alert-sink', kind: 'stand-in', defaultPort: 9097, readyPath: '/health', readyTimeoutMs: PROGRAM_READY_TIMEOUT_MS },
    exporter('node-exporter', 9100),
    exporter('postgres-exporter', 9187),
    exporter('redis-exporter', 9121),
    exporter('blackbox-exporter', 9115),
    ...Object.entries(servicePorts()).map(
      ([name, port]): ComponentSpec => ({
        name,
        kind: 'service',
        defaultPort: port,
        composeAddress: scrapeAddresses[name],
        readyPath: '/health/ready',
        readyTimeoutMs: SERVICE_READY_TIMEOUT_MS,
      }),
    ),
    { name: 'alertmanager', kind: 'monitoring', defaultPort: 9093, composeAddress: 'alertmanager:9093', readyPath: '/-/ready', readyTimeoutMs: PROGRAM_READY_TIMEOUT_MS },
    { name: 'prometheus', kind: 'monitoring', defaultPort: 9090, composeAddress: 'localhost:9090', readyPath: '/-/ready', readyTimeoutMs: PROGRAM_READY_TIMEOUT_MS },
  ];
}

/** Ports that are not a component's HTTP port: the stand-in's SMTP listener. */
export const EXTRA_PORTS = { 'alert-sink-smtp': 2525 } as const;

/** Offsets from AI_FINANCE_PORT_BASE: a service keeps its distance from 3000, the rest follow 3100. */
function portOffset(defaultPort: number, index: number): number {
  return defaultPort >= 3000 && defaultPort < 3100 ? defaultPort - 3000 : 100 + index;
}

/** AI_FINANCE_PORT_PROMETHEUS for `prometheus`, AI_FINANCE_PORT_ALERT_SINK_SMTP for `alert-sink-smtp`. */
export const portVariable = (name: string): string => `AI_FINANCE_PORT_${name.toUpperCase().replace(/-/g, '_')}`;

/**
 * The port of every component and extra listener: its own AI_FINANCE_PORT_<NAME>, else
 * AI_FINANCE_PORT_BASE plus its offset, else its usual port. Refuses, naming the variable, a value that
 * is not a port, and two components on one port.
 */
export function resolvePorts(env: NodeJS.ProcessEnv): Record<string, number> {
  const defaults: Array<[string, number]> = [...componentSpecs().map((spec): [string, number] => [spec.name, spec.defaultPort]), ...Object.entries(EXTRA_PORTS)];
  const problems: string[] = [];
  const parsePort = (variable: string): number | undefined => {
    const text = env[variable];
    if (text === undefined || text === '') return undefined;
    const port = Number(text);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      problems.push(`${variable} must be a port number from 1 to 65535 (got "${text}")`);
      return undefined;
    }
    return port;
  };
  const base = parsePort('AI_FINANCE_PORT_BASE');
  if (base !== undefined && base + 100 + defaults.length > 65_535) problems.push(`AI_FINANCE_PORT_BASE must leave room for ${100 + defaults.length} ports above it (got ${base})`);
  const ports: Record<string, number> = {};
  defaults.forEach(([name, defaultPort], index) => {
    ports[name] = parsePort(portVariable(name)) ?? (base !== undefined ? base + portOffset(defaultPort, index) : defaultPort);
  });
  const byPort = new Map<number, string[]>();
  for (const [name, port] of Object.entries(ports)) byPort.set(port, [...(byPort.get(port) ?? []), name]);
  for (const [port, names] of byPort) if (names.length > 1) problems.push(`${names.join(' and ')} would share port ${port}: set ${names.slice(1).map(portVariable).join(', ')}`);
  if (problems.length > 0) throw new Error(`bad port settings:\n  ${problems.join('\n  ')}`);
  return ports;
}
