import { DEFAULT_HTTP_CLIENT_OPTIONS, env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** Upstream services the gateway forwards to; each later service adds one line here and one to the route table. */
export const UPSTREAM_NAMES = ['market-data'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      MARKET_DATA_URL: z.string().url().default('http://127.0.0.1:3040'),
      UPSTREAM_CONNECTIONS: env.positiveInt(DEFAULT_HTTP_CLIENT_OPTIONS.connections),
      UPSTREAM_CONNECT_TIMEOUT_MS: env.positiveInt(DEFAULT_HTTP_CLIENT_OPTIONS.connectTimeoutMs),
      UPSTREAM_TIMEOUT_MS: env.positiveInt(DEFAULT_HTTP_CLIENT_OPTIONS.headersTimeoutMs),
    },
    source,
  );
  return {
    upstreams: { 'market-data': values.MARKET_DATA_URL } satisfies Record<UpstreamName, string>,
    connections: values.UPSTREAM_CONNECTIONS,
    connectTimeoutMs: values.UPSTREAM_CONNECT_TIMEOUT_MS,
    timeoutMs: values.UPSTREAM_TIMEOUT_MS,
  };
}

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;
