import { z, type ZodTypeAny } from 'zod';

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigurationError';
  }
}

const SECRET_NAME = /SECRET|PASSWORD|TOKEN|KEY$/i;

/**
 * Validates environment variables once, at start-up. A bad value stops the service with a message
 * that names the variable and says what was expected.
 */
export function loadEnv<S extends Record<string, ZodTypeAny>>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  throw new ConfigurationError(
    result.error.issues.map((issue) => {
      const variable = issue.path.join('.');
      const given = env[variable];
      // A secret's value never reaches the error (it would end up in logs); its length is enough to act on.
      const shown = SECRET_NAME.test(variable) ? `a value of ${given?.length ?? 0} characters` : `"${given?.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')}"`;
      return `${variable}: ${issue.message}${given === undefined ? ' (not set)' : ` (got ${shown})`}`;
    }),
  );
}

/** Reusable field types for environment variables. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  url: () => z.string().url(),
  optionalUrl: () =>
    z
      .string()
      .optional()
      .transform((value) => (value === undefined || value.trim() === '' ? undefined : value))
      .pipe(z.string().url().optional()),
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean)),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
};
