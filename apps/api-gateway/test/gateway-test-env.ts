import { ACCESS_TOKEN, type AccessTokenClaims } from '@ai-finance/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';

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

export const USER: AccessTokenClaims = { sub: randomUUID(), role: 'user', sid: randomUUID() };
export const OPERATOR: AccessTokenClaims = { sub: randomUUID(), role: 'operator', sid: randomUUID() };

/** An access token as user-management issues it, or altered by `options` to test refusals. */
export function tokenFor(claims: AccessTokenClaims, options: { secret?: string; expiresInSeconds?: number; issuer?: string; algorithm?: jwt.Algorithm } = {}): string {
  return jwt.sign({ role: claims.role, sid: claims.sid }, options.secret ?? JWT_SECRET, {
    algorithm: options.algorithm ?? ACCESS_TOKEN.algorithm,
    subject: claims.sub,
    issuer: options.issuer ?? ACCESS_TOKEN.issuer,
    audience: ACCESS_TOKEN.audience,
    expiresIn: options.expiresInSeconds ?? 900,
  });
}
