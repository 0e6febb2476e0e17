import { ACCESS_TOKEN, type AccessTokenClaims } from '@ai-finance/contracts';
import { createServiceLogger, SERVICE_LOGGER } from '@ai-finance/observability';
import { deleteRedisKeys, startNestApp, type TestEnv } from '@ai-finance/testing';
import type { INestApplication, Type } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UPSTREAMS } from '../src/config';

/** A signing key of this run only; nothing in the repository is a real secret. */
export const JWT_SECRET = randomBytes(32).toString('hex');
export const REDIS_KEY_BASE = `test-gateway-${process.pid}-${randomBytes(4).toString('hex')}`;

export const GATEWAY_TEST_ENV: Record<string, string> = {
  JWT_SECRET,
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: `${REDIS_KEY_BASE}:`,
  OTEL_SDK_DISABLED: 'true',
  LOG_LEVEL: 'error',
};

/**
 * The gateway in-process on Fastify, without its logger, configured from GATEWAY_TEST_ENV and `values`
 * (set through `env`, which the caller restores). AppModule is loaded after the environment is set.
 */
export async function startGateway(env: TestEnv, values: Record<string, string> = {}): Promise<INestApplication> {
  env.set({ ...GATEWAY_TEST_ENV, ...values });
  const { AppModule } = (await import('../src/app.module')) as { AppModule: Type<unknown> };
  return startNestApp(AppModule, { app: { logger: false } });
}

export type GatewayLogLine = Record<string, unknown> & { level: string; message: string };

/**
 * As startGateway, with the gateway's own logger (same options, level warn) writing into `lines`:
 * AppModule takes no log destination, so the logger provider is swapped for one that has it.
 */
export async function startGatewayCapturingLogs(env: TestEnv, lines: GatewayLogLine[], values: Record<string, string> = {}): Promise<NestFastifyApplication> {
  env.set({ ...GATEWAY_TEST_ENV, LOG_LEVEL: 'warn', ...values });
  const { AppModule } = (await import('../src/app.module')) as { AppModule: Type<unknown> };
  const logger = createServiceLogger({
    serviceName: 'api-gateway',
    level: 'warn',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as GatewayLogLine) },
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(SERVICE_LOGGER).useValue(logger).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Every upstream URL variable pointed at one local server, which then plays all the services. */
export function allUpstreamsAt(port: number): Record<string, string> {
  return Object.fromEntries(Object.values(UPSTREAMS).map(({ variable }) => [variable, `http://127.0.0.1:${port}`]));
}

/** Removes every Redis key this run's gateways wrote (rate-limit counters). */
export async function deleteGatewayRedisKeys(): Promise<void> {
  const redis = new Redis(GATEWAY_TEST_ENV.REDIS_URL);
  await deleteRedisKeys(redis, REDIS_KEY_BASE);
  redis.disconnect();
}

export const USER: AccessTokenClaims = { sub: randomUUID(), role: 'user', sid: randomUUID() };
export const OPERATOR: AccessTokenClaims = { sub: randomUUID(), role: 'operator', sid: randomUUID() };

/** An access token as user-management issues it, or altered by `options` to test refusals. */
export function tokenFor(
  claims: AccessTokenClaims,
  options: { secret?: string; expiresInSeconds?: number; issuer?: string; audience?: string; algorithm?: jwt.Algorithm } = {},
): string {
  return jwt.sign({ role: claims.role, sid: claims.sid }, options.secret ?? JWT_SECRET, {
    algorithm: options.algorithm ?? ACCESS_TOKEN.algorithm,
    subject: claims.sub,
    issuer: options.issuer ?? ACCESS_TOKEN.issuer,
    audience: options.audience ?? ACCESS_TOKEN.audience,
    expiresIn: options.expiresInSeconds ?? 900,
  });
}
