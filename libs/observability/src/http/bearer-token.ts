import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

const digestOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` in constant time. Both sides are hashed first: timingSafeEqual
 * needs buffers of equal length, and comparing digests leaks neither the token's content nor its length.
 */
export class BearerToken {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digestOf(token);
  }

  accepts(authorization: string | string[] | undefined): boolean {
    if (typeof authorization !== 'string') return false;
    const given = BEARER.exec(authorization)?.[1];
    return given !== undefined && timingSafeEqual(digestOf(given), this.expected);
  }
}
