import { ACCESS_TOKEN, USER_ROLES, type AccessTokenClaims } from '@ai-finance/contracts';
import jwt from 'jsonwebtoken';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TokenVerdict = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'invalid' };

/**
 * Verifies the bearer access token user-management issued: HS256 only (a token cannot pick its own
 * algorithm, `none` included), issuer, audience and expiry enforced, claims checked for shape.
 */
export class AccessTokenVerifier {
  constructor(private readonly secret: string) {}

  verify(authorization: string | undefined): TokenVerdict {
    if (!authorization) return { ok: false, reason: 'missing' };
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization);
    if (!match) return { ok: false, reason: 'malformed' };
    try {
      const payload = jwt.verify(match[1], this.secret, {
        algorithms: [ACCESS_TOKEN.algorithm],
        issuer: ACCESS_TOKEN.issuer,
        audience: ACCESS_TOKEN.audience,
      });
      if (typeof payload !== 'object' || payload === null) return { ok: false, reason: 'invalid' };
      const { sub, role, sid } = payload as Partial<AccessTokenClaims>;
      if (typeof sub !== 'string' || !UUID.test(sub) || !USER_ROLES.includes(role as never) || typeof sid !== 'string') {
        return { ok: false, reason: 'invalid' };
      }
      return { ok: true, claims: { sub, role: role as AccessTokenClaims['role'], sid } };
    } catch (error) {
      return { ok: false, reason: error instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
    }
  }
}
