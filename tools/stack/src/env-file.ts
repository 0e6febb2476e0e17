import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './layout';

/*
 * The compose stack's .env, made once from .env.example (docs/stack.md, "Credentials"): every secret gets
 * a new random value, hex so that it is safe inside the URLs compose builds from it; the account names and
 * the fault switch get a fixed one; everything else is copied as the example has it (empty: optional, or an alert
 * destination that only whoever installs the stack can give). An existing .env is never touched.
 */

/** Variables of .env.example that get a random value. */
export const GENERATED_SECRETS = [
  'POSTGRES_PASSWORD',
  'REDIS_PASSWORD',
  'RABBITMQ_PASSWORD',
  'JWT_SECRET',
  'NOTIFICATION_WEBHOOK_TOKEN',
  'FAULT_INJECTION_TOKEN',
  'GRAFANA_ADMIN_PASSWORD',
  'UPTIME_KUMA_PASSWORD',
  'MONGODB_ROOT_PASSWORD',
] as const;

/** Fixed values the stack this script starts gets: account names, and fault switches on for `fault`. */
export const FIXED_VALUES: Record<string, string> = {
  RABBITMQ_USER: 'ai_finance',
  GRAFANA_ADMIN_USER: 'sre',
  UPTIME_KUMA_USERNAME: 'sre',
  MONGODB_ROOT_USERNAME: 'ai_finance',
  FAULT_INJECTION_ENABLED: 'true',
};

export const ENV_FILE = (): string => process.env.AI_FINANCE_ENV_FILE || join(WORKSPACE_ROOT, '.env');
export const ENV_EXAMPLE = join(WORKSPACE_ROOT, '.env.example');

/** 48 hex digits, with at least one letter and one digit (Uptime Kuma asks for both). */
export function randomSecret(): string {
  for (;;) {
    const value = randomBytes(24).toString('hex');
    if (/[a-f]/.test(value) && /[0-9]/.test(value)) return value;
  }
}

/** .env.example's text with the secrets and fixed values filled in. */
export function fillExample(example: string, secret: () => string = randomSecret): { text: string; generated: string[] } {
  const generated: string[] = [];
  const text = example
    .split('\n')
    .map((line) => {
      const match = /^([A-Z][A-Z0-9_]*)=\s*$/.exec(line);
      if (!match) return line;
      const name = match[1];
      if ((GENERATED_SECRETS as readonly string[]).includes(name)) {
        generated.push(name);
        return `${name}=${secret()}`;
      }
      return name in FIXED_VALUES ? `${name}=${FIXED_VALUES[name]}` : line;
    })
    .join('\n');
  return { text, generated };
}

/** Makes the .env from .env.example unless it exists; mode 600 either way. */
export function ensureEnvFile(path: string = ENV_FILE(), examplePath: string = ENV_EXAMPLE): { path: string; created: boolean } {
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    return { path, created: false };
  }
  if (!existsSync(examplePath)) throw new Error(`${examplePath} is missing: it lists the variables .env needs`);
  writeFileSync(path, fillExample(readFileSync(examplePath, 'utf8')).text, { mode: 0o600, flag: 'wx' });
  return { path, created: true };
}

/** `NAME=value` lines of an env file (quotes around a value removed). */
export function parseEnv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) values[match[1]] = match[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

/**
 * Variables the compose file requires (`${NAME:?...}`) that neither the env file nor the environment
 * (which compose prefers) gives a value.
 */
export function missingRequired(composeText: string, envText: string, env: NodeJS.ProcessEnv = {}): string[] {
  const required = [...new Set([...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*):\?/g)].map((match) => match[1]))];
  const values = parseEnv(envText);
  return required.filter((name) => !values[name] && !env[name]);
}
