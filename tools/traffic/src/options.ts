import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { DEFAULT_MIX, formatMix, parseMix, type ActionMix } from './action-mix';
import { DEFAULT_GATEWAY_URL, duration, gatewayFrom, gatewayUrl, GATEWAY_URL_VARIABLE, positiveInteger, positiveNumber } from './option-fields';
import { OptionsError } from './errors';
import type { SourceAddressMode } from './source-addresses';

export { DEFAULT_GATEWAY_URL, GATEWAY_URL_VARIABLE } from './option-fields';

/** What a run does; the programmatic API takes these. */
export interface TrafficOptions {
  gatewayUrl: URL;
  /** Mean arrivals per second of the open-loop (Poisson) arrival process. */
  ratePerSecond: number;
  users: number;
  /** Undefined: until stopped. */
  durationMs: number | undefined;
  mix: ActionMix;
  /** Actions in flight at most; an arrival beyond it is dropped and counted. */
  concurrency: number;
  sourceAddresses: SourceAddressMode;
}

/** The command line adds how to print. */
export interface TrafficCliOptions extends TrafficOptions {
  quiet: boolean;
  json: boolean;
}

export const TRAFFIC_USAGE = `Usage: npm run traffic -- [options]
  --gateway <url>         api-gateway base URL (default $${GATEWAY_URL_VARIABLE} or ${DEFAULT_GATEWAY_URL})
  --rate <n>              arrivals per second, open loop (default 10)
  --users <n>             simulated users (default 50)
  --duration <d>          30s, 5m, 1h, 1h30m ... (default: until Ctrl-C)
  --mix <g=w,...>         weights by action group (default ${formatMix(DEFAULT_MIX)})
  --concurrency <n>       actions in flight at most; arrivals beyond are dropped and counted (default 64)
  --source-ips <mode>     auto | on | off: one loopback source address per user (default auto)
  --quiet                 no progress line
  --json                  print the final summary as JSON on stdout
  -h, --help              this text`;

const schema = z.object({
  gateway: gatewayUrl,
  rate: positiveNumber('a number of arrivals per second', 100_000),
  users: positiveInteger('users', 100_000),
  duration,
  mix: z
    .string()
    .optional()
    .transform((text, context) => {
      if (text === undefined) return { ...DEFAULT_MIX };
      try {
        return parseMix(text);
      } catch (error) {
        context.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
        return z.NEVER;
      }
    }),
  concurrency: positiveInteger('actions in flight', 100_000),
  'source-ips': z.enum(['auto', 'on', 'off'], { errorMap: () => ({ message: 'must be auto, on or off' }) }),
  quiet: z.boolean(),
  json: z.boolean(),
});

/** Options from the command line, with the environment's gateway URL; throws OptionsError for a person to read. */
export function parseTrafficArguments(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): TrafficCliOptions | 'help' {
  const values = readArguments(argv, {
    gateway: { type: 'string' },
    rate: { type: 'string' },
    users: { type: 'string' },
    duration: { type: 'string' },
    mix: { type: 'string' },
    concurrency: { type: 'string' },
    'source-ips': { type: 'string' },
    quiet: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const parsed = validate(schema, {
    gateway: gatewayFrom(values.gateway, env),
    rate: values.rate ?? '10',
    users: values.users ?? '50',
    duration: values.duration,
    mix: values.mix,
    concurrency: values.concurrency ?? '64',
    'source-ips': values['source-ips'] ?? 'auto',
    quiet: values.quiet ?? false,
    json: values.json ?? false,
  });
  return {
    gatewayUrl: parsed.gateway,
    ratePerSecond: parsed.rate,
    users: parsed.users,
    durationMs: parsed.duration,
    mix: parsed.mix,
    concurrency: parsed.concurrency,
    sourceAddresses: parsed['source-ips'],
    quiet: parsed.quiet,
    json: parsed.json,
  };
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;
type ArgumentValues<T extends OptionSpec> = { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string };

/** node:util's parser, strict: an unknown option or a stray argument is an OptionsError. */
export function readArguments<T extends OptionSpec>(argv: readonly string[], options: T): ArgumentValues<T> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as ArgumentValues<T>;
  } catch (error) {
    throw new OptionsError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** Runs `schema` and turns its first problem into `--<option> <problem>`. */
export function validate<S extends z.ZodTypeAny>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new OptionsError(`--${issue.path.join('.')} ${issue.message}`);
}
