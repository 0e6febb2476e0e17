import { z } from 'zod';
import { parseDurationMs } from './durations';

/** Command-line values shared by the simulator and the brute-force tool, checked with messages for a person. */

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:3000';
export const GATEWAY_URL_VARIABLE = 'AI_FINANCE_GATEWAY_URL';

/** The gateway URL to check: `--gateway` when given, else $AI_FINANCE_GATEWAY_URL when set and not empty, else the local gateway. */
export function gatewayFrom(value: string | undefined, env: NodeJS.ProcessEnv): string {
  return value ?? (env[GATEWAY_URL_VARIABLE] || DEFAULT_GATEWAY_URL);
}

export const positiveNumber = (what: string, max: number) =>
  z
    .string()
    .refine((text) => /^\d+(\.\d+)?$/.test(text) && Number(text) > 0 && Number(text) <= max, (text) => ({ message: `must be ${what} above 0 and at most ${max} (got "${text}")` }))
    .transform(Number);

export const positiveInteger = (what: string, max: number) =>
  z
    .string()
    .refine((text) => /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= max, (text) => ({ message: `must be a whole number of ${what} from 1 to ${max} (got "${text}")` }))
    .transform(Number);

/** An http(s) base URL without path or query. */
export const gatewayUrl = z.string().transform((text, context) => {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '') {
    context.addIssue({ code: z.ZodIssueCode.custom, message: `must be an http(s) base URL such as ${DEFAULT_GATEWAY_URL} (got "${text}")` });
    return z.NEVER;
  }
  return url;
});

/** `--duration`: milliseconds, or undefined when not given. */
export const duration = z
  .string()
  .optional()
  .transform((text, context) => {
    if (text === undefined) return undefined;
    const durationMs = parseDurationMs(text);
    if (durationMs === undefined) context.addIssue({ code: z.ZodIssueCode.custom, message: `must be a duration such as 30s, 5m, 1h or 1h30m (got "${text}")` });
    return durationMs;
  });
