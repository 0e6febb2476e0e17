import { ConfigurationError, env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

export const USER_MANAGEMENT_CONFIG = Symbol('USER_MANAGEMENT_CONFIG');

const JWT_SECRET_MIN_LENGTH = 32;

/**
 * Reads user-management's settings. JWT_SECRET is checked here rather than by `loadEnv`, whose
 * messages quote the rejected value: a secret must never appear in a log or an error.
 */
export function loadUserManagementConfig(source: NodeJS.ProcessEnv = process.env) {
  const problems: string[] = [];
  const jwtSecret = source.JWT_SECRET;
  if (jwtSecret === undefined || jwtSecret === '') {
    problems.push('JWT_SECRET: is required; set it to a random string of at least 32 characters (not set)');
  } else if (jwtSecret.length < JWT_SECRET_MIN_LENGTH) {
    problems.push(`JWT_SECRET: must be at least ${JWT_SECRET_MIN_LENGTH} characters (got ${jwtSecret.length} characters; value not shown)`);
  }

  const rest = { ...source };
  delete rest.JWT_SECRET;
  let values: ReturnType<typeof loadSettings> | undefined;
  try {
    values = loadSettings(rest);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    problems.unshift(...error.problems);
  }
  if (problems.length > 0 || !values || !jwtSecret) throw new ConfigurationError(problems);

  return {
    redisUrl: values.REDIS_URL,
    redisKeyPrefix: values.REDIS_KEY_PREFIX,
    jwtSecret,
    accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: values.REFRESH_TOKEN_TTL_SECONDS,
    loginMaxFailures: values.LOGIN_MAX_FAILURES,
    loginFailureWindowSeconds: values.LOGIN_FAILURE_WINDOW_SECONDS,
    loginLockoutSeconds: values.LOGIN_LOCKOUT_SECONDS,
    activeUsersRefreshIntervalMs: values.ACTIVE_USERS_REFRESH_INTERVAL_MS,
  };
}

function loadSettings(source: NodeJS.ProcessEnv) {
  return loadEnv(
    {
      REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
      REDIS_KEY_PREFIX: z.string().default('user-management:'),
      ACCESS_TOKEN_TTL_SECONDS: env.positiveInt(900),
      REFRESH_TOKEN_TTL_SECONDS: env.positiveInt(604_800),
      LOGIN_MAX_FAILURES: env.positiveInt(5),
      LOGIN_FAILURE_WINDOW_SECONDS: env.positiveInt(900),
      LOGIN_LOCKOUT_SECONDS: env.positiveInt(900),
      ACTIVE_USERS_REFRESH_INTERVAL_MS: env.positiveInt(15_000),
    },
    source,
  );
}

export type UserManagementConfig = ReturnType<typeof loadUserManagementConfig>;
