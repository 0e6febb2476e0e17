import type { UserRole } from '@ai-finance/contracts';
import type { Database } from '@ai-finance/database';
import { randomUUID } from 'node:crypto';
import { newRefreshToken, refreshTokenHash } from './tokens';

export interface SessionOwner {
  sessionId: string;
  userId: string;
}

/** What presenting a refresh token led to. Only `rotated` hands out a new token. */
export type RefreshOutcome =
  | ({ kind: 'rotated'; role: UserRole; refreshToken: string } & SessionOwner)
  /** The token was already exchanged once: someone replays it, so the whole session is revoked. */
  | ({ kind: 'reused' } & SessionOwner)
  | ({ kind: 'expired' } & SessionOwner)
  | ({ kind: 'ended' } & SessionOwner)
  | { kind: 'unknown' };

/**
 * Sessions are refresh-token families: each refresh replaces the session's token and remembers the
 * old one, so a replayed old token is recognised. Only sha256 hashes of tokens reach the database.
 */
export class SessionStore {
  constructor(
    private readonly database: Database,
    private readonly refreshTokenTtlSeconds: number,
  ) {}

  async create(userId: string): Promise<SessionOwner & { refreshToken: string }> {
    const sessionId = randomUUID();
    const refreshToken = newRefreshToken();
    await this.database.query(
      'insert_session',
      `INSERT INTO sessions (id, user_id, refresh_token_hash, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [sessionId, userId, refreshTokenHash(refreshToken), this.refreshTokenTtlSeconds],
    );
    return { sessionId, userId, refreshToken };
  }

  /**
   * Exchanges `refreshToken` for a new one. The session row is locked, so two requests presenting
   * the same token cannot both succeed: the second finds the token rotated and counts as reuse.
   */
  rotate(refreshToken: string): Promise<RefreshOutcome> {
    const hash = refreshTokenHash(refreshToken);
    return this.database.transaction('rotate_refresh_token', async (tx) => {
      const { rows } = await tx.query<{ id: string; user_id: string; role: UserRole; expired: boolean; ended: boolean }>(
        `SELECT s.id, s.user_id, u.role, s.expires_at <= now() AS expired, s.ended_at IS NOT NULL AS ended
           FROM sessions s JOIN users u ON u.id = s.user_id
          WHERE s.refresh_token_hash = $1
            FOR UPDATE OF s`,
        [hash],
      );
      const current = rows[0];
      if (current) {
        const owner = { sessionId: current.id, userId: current.user_id };
        if (current.ended) return { kind: 'ended', ...owner };
        if (current.expired) return { kind: 'expired', ...owner };
        const next = newRefreshToken();
        await tx.query('INSERT INTO rotated_refresh_tokens (token_hash, session_id) VALUES ($1, $2)', [hash, current.id]);
        await tx.query(
          `UPDATE sessions SET refresh_token_hash = $2, last_used_at = now(), expires_at = now() + make_interval(secs => $3) WHERE id = $1`,
          [current.id, refreshTokenHash(next), this.refreshTokenTtlSeconds],
        );
        return { kind: 'rotated', ...owner, role: current.role, refreshToken: next };
      }

      const reused = await tx.query<{ session_id: string; user_id: string }>(
        `SELECT r.session_id, s.user_id FROM rotated_refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE r.token_hash = $1`,
        [hash],
      );
      const family = reused.rows[0];
      if (!family) return { kind: 'unknown' };
      await tx.query(
        `UPDATE sessions SET revoked_at = now(), ended_at = now(), end_reason = 'refresh_token_reuse' WHERE id = $1 AND ended_at IS NULL`,
        [family.session_id],
      );
      return { kind: 'reused', sessionId: family.session_id, userId: family.user_id };
    });
  }

  /** Ends the session whose current token is `refreshToken`, if it belongs to `userId`; returns its length in seconds. */
  async end(refreshToken: string, userId: string): Promise<{ sessionId: string; durationSeconds: number } | undefined> {
    const { rows } = await this.database.query<{ id: string; duration_seconds: number }>(
      'end_session',
      `UPDATE sessions SET ended_at = now(), end_reason = 'logout'
        WHERE refresh_token_hash = $1 AND user_id = $2 AND ended_at IS NULL
        RETURNING id, EXTRACT(EPOCH FROM ended_at - created_at)::float8 AS duration_seconds`,
      [refreshTokenHash(refreshToken), userId],
    );
    const ended = rows[0];
    return ended ? { sessionId: ended.id, durationSeconds: ended.duration_seconds } : undefined;
  }
}
