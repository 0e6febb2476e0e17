import type { UserRole } from './http-headers';

/*
 * Access tokens: issued by user-management, verified by api-gateway. The algorithm is pinned on both
 * sides so a token cannot choose how it is checked (no `none`, no algorithm confusion).
 */
export const ACCESS_TOKEN = {
  algorithm: 'HS256',
  issuer: 'ai-finance/user-management',
  audience: 'ai-finance/api',
} as const;

export interface AccessTokenClaims {
  /** The user id. */
  sub: string;
  role: UserRole;
  /** The session (refresh-token family) this token belongs to. */
  sid: string;
}
