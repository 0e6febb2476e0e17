import { EVENTS, type UserLocked, type UserRole } from '@ai-finance/contracts';
import type { Database } from '@ai-finance/database';
import type { Outbox } from '@ai-finance/messaging';
import { RequestContext, type ServiceLogger } from '@ai-finance/observability';
import { HttpException, HttpStatus, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ActiveUsers } from '../activity/active-users';
import type { UserManagementConfig } from '../config';
import type { UserManagementMetrics } from '../metrics';
import type { SecurityEvents } from '../security-events';
import type { LoginFailureCounter } from './login-failures';
import { verifyPassword } from './passwords';
import type { RefreshOutcome, SessionStore } from './sessions';
import type { AccessTokenSigner, TokenPair } from './tokens';

/** The one answer for a wrong password and an unknown email, so the response does not tell which. */
export const INVALID_CREDENTIALS = 'invalid email or password';

/** 423 with the seconds until the lock ends; the controller copies them into `Retry-After`. */
export class AccountLockedException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      { message: `Account temporarily locked after too many failed logins; try again in ${retryAfterSeconds} seconds`, error: 'Locked' },
      HttpStatus.LOCKED,
    );
  }
}

interface LoginCandidate {
  id: string;
  email: string;
  password_hash: string;
  role: UserRole;
  lock_remaining_seconds: number | null;
}

const REFRESH_REJECTIONS: Record<Exclude<RefreshOutcome['kind'], 'rotated'>, string> = {
  reused: 'refresh token was already used; the session has been revoked, log in again',
  expired: 'refresh token expired; log in again',
  ended: 'the session of this refresh token has ended; log in again',
  unknown: 'invalid refresh token',
};

/** Login with lockout, refresh-token rotation with reuse detection, and logout. */
export class Authentication {
  constructor(
    private readonly config: UserManagementConfig,
    private readonly database: Database,
    private readonly outbox: Outbox,
    private readonly sessions: SessionStore,
    private readonly signer: AccessTokenSigner,
    private readonly failures: LoginFailureCounter,
    private readonly activeUsers: ActiveUsers,
    private readonly security: SecurityEvents,
    private readonly metrics: UserManagementMetrics,
    private readonly logger: ServiceLogger,
  ) {}

  async login(emailInput: string, password: string, ipAddress: string): Promise<TokenPair> {
    const email = emailInput.toLowerCase();
    const { rows } = await this.database.query<LoginCandidate>(
      'find_user_for_login',
      `SELECT u.id, u.email, u.password_hash, u.role,
              (SELECT ceil(EXTRACT(EPOCH FROM max(l.locked_until) - now()))::int
                 FROM account_locks l WHERE l.user_id = u.id AND l.locked_until > now()) AS lock_remaining_seconds
         FROM users u WHERE lower(u.email) = $1`,
      [email],
    );
    const user = rows[0];

    if (user?.lock_remaining_seconds) {
      // No password check while locked: the answer is the same whatever the password, and guessing costs no CPU.
      this.metrics.logins.inc({ result: 'locked' });
      this.security.record('login_while_locked', { ip_address: ipAddress, email, user_id: user.id }, 'login refused: the account is locked');
      throw new AccountLockedException(user.lock_remaining_seconds);
    }

    const valid = await verifyPassword(user?.password_hash, password);
    if (!user || !valid) {
      this.metrics.logins.inc({ result: 'failure' });
      this.security.record(
        'auth_failure',
        { ip_address: ipAddress, email, user_id: user?.id, reason: user ? 'wrong_password' : 'unknown_email' },
        'login failed: invalid email or password',
      );
      if (user) await this.countFailure(user, ipAddress);
      throw new UnauthorizedException(INVALID_CREDENTIALS);
    }

    await this.failures.reset(user.id);
    const session = await this.sessions.create(user.id);
    await this.activeUsers.record(user.id);
    RequestContext.setUserId(user.id);
    this.metrics.logins.inc({ result: 'success' });
    this.logger.info({ log_type: 'user_activity', event_type: 'user_login', user_id: user.id, session_id: session.sessionId, ip_address: ipAddress }, 'user logged in');
    return this.signer.pair({ sub: user.id, role: user.role, sid: session.sessionId }, session.refreshToken);
  }

  async refresh(refreshToken: string, ipAddress: string): Promise<TokenPair> {
    const outcome = await this.sessions.rotate(refreshToken);
    if (outcome.kind !== 'rotated') {
      const owner = outcome.kind === 'unknown' ? {} : { user_id: outcome.userId, session_id: outcome.sessionId };
      const message = REFRESH_REJECTIONS[outcome.kind];
      this.security.record('invalid_token', { ip_address: ipAddress, reason: `refresh_token_${outcome.kind}`, ...owner }, `refresh rejected: ${message}`);
      throw new UnauthorizedException(message);
    }
    await this.activeUsers.record(outcome.userId);
    RequestContext.setUserId(outcome.userId);
    this.logger.info({ log_type: 'user_activity', event_type: 'token_refreshed', user_id: outcome.userId, session_id: outcome.sessionId }, 'access token refreshed');
    return this.signer.pair({ sub: outcome.userId, role: outcome.role, sid: outcome.sessionId }, outcome.refreshToken);
  }

  async logout(refreshToken: string, userId: string): Promise<void> {
    const ended = await this.sessions.end(refreshToken, userId);
    if (!ended) throw new NotFoundException('No active session of this user has this refresh token');
    this.metrics.sessionDuration.observe(ended.durationSeconds);
    this.logger.info(
      { log_type: 'user_activity', event_type: 'user_logout', user_id: userId, session_id: ended.sessionId, session_duration_seconds: ended.durationSeconds },
      'user logged out',
    );
  }

  /**
   * Counts a wrong password; the failure that reaches the limit locks the account and answers 423.
   * The counter falls back to memory while Redis is away (see LoginFailureCounter), so this never skips.
   */
  private async countFailure(user: LoginCandidate, ipAddress: string): Promise<void> {
    const failures = await this.failures.record(user.id);
    if (failures < this.config.loginMaxFailures) return;
    const retryAfterSeconds = await this.lock(user, failures, ipAddress);
    throw new AccountLockedException(retryAfterSeconds);
  }

  /** Writes the lock and its `user.locked` event in one transaction; a lock already in force is kept as it is. */
  private async lock(user: LoginCandidate, failedAttempts: number, ipAddress: string): Promise<number> {
    const result = await this.database.transaction('lock_account', async (tx) => {
      // Serialises concurrent lockers of one account: the second sees the first one's lock.
      await tx.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      const active = await tx.query<{ remaining: number | null }>(
        `SELECT ceil(EXTRACT(EPOCH FROM max(locked_until) - now()))::int AS remaining FROM account_locks WHERE user_id = $1 AND locked_until > now()`,
        [user.id],
      );
      const remaining = active.rows[0]?.remaining;
      if (remaining) return { created: false, retryAfterSeconds: remaining, lockedUntil: undefined };
      const { rows } = await tx.query<{ locked_until: Date }>(
        `INSERT INTO account_locks (id, user_id, locked_until, failed_attempts, ip_address)
         VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5) RETURNING locked_until`,
        [randomUUID(), user.id, this.config.loginLockoutSeconds, failedAttempts, ipAddress],
      );
      const lockedUntil = rows[0]!.locked_until.toISOString();
      const event: UserLocked = { userId: user.id, email: user.email, ipAddress, failedAttempts, lockedUntil };
      await this.outbox.enqueue(tx, EVENTS.userLocked, event);
      return { created: true, retryAfterSeconds: this.config.loginLockoutSeconds, lockedUntil };
    });
    if (result.created) {
      this.security.record(
        'account_locked',
        { ip_address: ipAddress, email: user.email, user_id: user.id, failed_attempts: failedAttempts, locked_until: result.lockedUntil },
        `account locked for ${this.config.loginLockoutSeconds} seconds after ${failedAttempts} failed logins`,
      );
      await this.failures.reset(user.id);
    }
    return result.retryAfterSeconds;
  }
}
