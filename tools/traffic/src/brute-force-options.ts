import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { OptionsError } from './errors';
import { DEFAULT_GATEWAY_URL, duration, gatewayFrom, gatewayUrl, GATEWAY_URL_VARIABLE, positiveNumber } from './option-fields';
import { readArguments, validate } from './options';
import { isInLoopbackRange, isLoopbackHost } from './source-addresses';

export interface BruteForceOptions {
  gatewayUrl: URL;
  /** The one address every attempt comes from. */
  sourceAddress: string;
  attemptsPerSecond: number;
  durationMs: number | undefined;
  email: string;
}

/** The attacker's default address: 127.66.0.0/16 is kept for this tool, so the traffic simulator never uses it. */
export const DEFAULT_ATTACK_ADDRESS = '127.66.0.1';

export const BRUTE_FORCE_USAGE = `Usage: node tools/traffic/dist/brute-force.js [options]
  --gateway <url>     api-gateway base URL (default $${GATEWAY_URL_VARIABLE} or ${DEFAULT_GATEWAY_URL})
  --ip <address>      source address of every attempt (default ${DEFAULT_ATTACK_ADDRESS}; within 127.0.0.0/8 when the gateway is on loopback)
  --rate <n>          login attempts per second (default 2)
  --duration <d>      30s, 2m, 1h ... (default: until SIGTERM or Ctrl-C)
  --email <address>   the account attacked (default victim@example.test)
  -h, --help          this text`;

const schema = z.object({
  gateway: gatewayUrl,
  ip: z.string().refine(isIPv4, (text) => ({ message: `must be an IPv4 address such as ${DEFAULT_ATTACK_ADDRESS} (got "${text}")` })),
  rate: positiveNumber('a number of attempts per second', 1000),
  duration,
  email: z.string().email({ message: 'must be an e-mail address' }).max(254),
});

export function parseBruteForceArguments(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BruteForceOptions | 'help' {
  const values = readArguments(argv, {
    gateway: { type: 'string' },
    ip: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    email: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const parsed = validate(schema, {
    gateway: gatewayFrom(values.gateway, env),
    ip: values.ip ?? DEFAULT_ATTACK_ADDRESS,
    rate: values.rate ?? '2',
    duration: values.duration,
    email: values.email ?? 'victim@example.test',
  });
  const gatewayOnLoopback = isLoopbackHost(parsed.gateway.hostname);
  if (gatewayOnLoopback && !isInLoopbackRange(parsed.ip)) {
    throw new OptionsError(`--ip ${parsed.ip} is not in 127.0.0.0/8: the gateway is on loopback (${parsed.gateway.hostname}), which only loopback addresses can reach`);
  }
  if (parsed.gateway.hostname === '[::1]') throw new OptionsError('the gateway is on the IPv6 loopback [::1], which an IPv4 --ip cannot reach; use http://127.0.0.1:<port>');
  const gatewayUrl = new URL(parsed.gateway);
  // A 127.x source cannot reach ::1, which `localhost` may resolve to.
  if (gatewayOnLoopback && gatewayUrl.hostname === 'localhost') gatewayUrl.hostname = '127.0.0.1';
  return { gatewayUrl, sourceAddress: parsed.ip, attemptsPerSecond: parsed.rate, durationMs: parsed.duration, email: parsed.email };
}
