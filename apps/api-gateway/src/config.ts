import { DEFAULT_HTTP_CLIENT_OPTIONS, env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** The services behind the gateway, each with the variable naming its base URL and its default. */
export const UPSTREAMS = {
  'user-management': { variable: 'USER_MANAGEMENT_URL', fallback: 'http://127.0.0.1:3010' },
  payment: { variable: 'PAYMENT_URL', fallback: 'http://127.0.0.1:3020' },
  trading: { variable: 'TRADING_URL', fallback: 'http://127.0.0.1:3030' },
  'market-data': { variable: 'MARKET_DATA_URL', fallback: 'http://127.0.0.1:3040' },
  signals: { variable: 'SIGNALS_URL', fallback: 'http://127.0.0.1:3050' },
  portfolio: { variable: 'PORTFOLIO_URL', fallback: 'http://127.0.0.1:3060' },
  risk: { variable: 'RISK_URL', fallback: 'http://127.0.0.1:3070' },
  notification: { variable: 'NOTIFICATION_URL', fallback: 'http://127.0.0.1:3080' },
  audit: { variable: 'AUDIT_URL', fallback: 'http://127.0.0.1:3090' },
} as const;
export type UpstreamName = keyof typeof UPSTREAMS;
export const UPSTREAM_NAMES = Object.keys(UPSTREAMS) as UpstreamName[];

const upstreamShape = Object.fromEntries(
  Object.values(UPSTREAMS).map(({ variable, fallback }) => [variable, z.string().url().default(fallback)]),
) as Record<(typeof UPSTREAMS)[UpstreamName]['variable'], z.ZodDefault<z.ZodString>>;

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      ...upstreamShape,
      UPSTREAM_CONNECTIONS: env.positiveInt(DEFAULT_HTTP_CLIENT_OPTIONS.connections),
      UPSTREAM_CONNECT_TIMEOUT_MS: env.positiveInt(DEFAULT_HTTP_CLIENT_OPTIONS.connectTimeoutMs),
      UPSTREAM_TIMEOUT_MS: env.positiveInt(DEFAULT_HTTP_CLIENT_OPTIONS.headersTimeoutMs),
      /** Shared with user-management, which signs the access tokens. */
      JWT_SECRET: z.string({ required_error: 'is required (the key user-management signs access tokens with)' }).min(32, 'must be at least 32 characters'),
      REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
      REDIS_KEY_PREFIX: z.string().default('api-gateway:'),
      RATE_LIMIT_WINDOW_SECONDS: env.positiveInt(60),
      /** Requests per window from one client IP, any route. */
      RATE_LIMIT_PER_IP: env.positiveInt(1_200),
      /** Requests per window by one signed-in user. */
      RATE_LIMIT_PER_USER: env.positiveInt(600),
      /** Register, login and refresh attempts per window from one client IP: the brake on credential stuffing. */
      RATE_LIMIT_AUTH_PER_IP: env.positiveInt(30),
    },
    source,
  );
  return {
    upstreams: Object.fromEntries(UPSTREAM_NAMES.map((name) => [name, values[UPSTREAMS[name].variable]])) as Record<UpstreamName, string>,
    connections: values.UPSTREAM_CONNECTIONS,
    connectTimeoutMs: values.UPSTREAM_CONNECT_TIMEOUT_MS,
    timeoutMs: values.UPSTREAM_TIMEOUT_MS,
    jwtSecret: values.JWT_SECRET,
    redisUrl: values.REDIS_URL,
    redisKeyPrefix: values.REDIS_KEY_PREFIX,
    rateLimits: {
      windowSeconds: values.RATE_LIMIT_WINDOW_SECONDS,
      perIp: values.RATE_LIMIT_PER_IP,
      perUser: values.RATE_LIMIT_PER_USER,
      authPerIp: values.RATE_LIMIT_AUTH_PER_IP,
    },
  };
}

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
