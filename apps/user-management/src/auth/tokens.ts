import { ACCESS_TOKEN, type AccessTokenClaims, type UserRole } from '@ai-finance/contracts';
import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** 32 random bytes, base64url: 43 characters. */
export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  userId: string;
  role: UserRole;
}

export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps instead of the refresh token: its sha256, hex. */
export function refreshTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Signs access tokens the way api-gateway verifies them: HS256 only, fixed issuer and audience. */
export class AccessTokenSigner {
  constructor(
    private readonly secret: string,
    readonly ttlSeconds: number,
  ) {}

  sign(claims: AccessTokenClaims): string {
    const { sub, role, sid } = claims;
    return jwt.sign({ role, sid }, this.secret, {
      algorithm: ACCESS_TOKEN.algorithm,
      issuer: ACCESS_TOKEN.issuer,
      audience: ACCESS_TOKEN.audience,
      subject: sub,
      expiresIn: this.ttlSeconds,
    });
  }

  pair(claims: AccessTokenClaims, refreshToken: string): TokenPair {
    return {
      accessToken: this.sign(claims),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.ttlSeconds,
      userId: claims.sub,
      role: claims.role,
    };
  }
}
