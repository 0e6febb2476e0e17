import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionName } from './action-mix';
import type { GatewayAnswer, GatewayClient, SendOptions } from './gateway-client';
import { TradingAccount } from './trading-account';

export interface UserIdentity {
  email: string;
  password: string;
  phone?: string;
}

/** `sim-<run>-<n>@example.test` with a random 24-character password; every other user gives a phone number. */
export function identityFor(runId: string, index: number): UserIdentity {
  return {
    email: `${runId}-${index}@example.test`,
    password: randomBytes(18).toString('base64url'),
    ...(index % 2 === 0 ? { phone: `+1555${String(index % 10_000_000).padStart(7, '0')}` } : {}),
  };
}

interface Session {
  accessToken: string;
  refreshToken: string;
  /** Refresh before this (performance.now() time) so that no request goes out with an expiring token. */
  refreshDueAtMs: number;
}

/** What signIn answers when the run ended before the user could finish signing in: not a failure of the platform. */
export const SIGN_IN_STOPPED = 'the run stopped before the user could sign in';

/** Transient failures of a sign-in step before the user gives up. */
const SIGN_IN_ATTEMPTS = 3;
/** Longest wait on a 429 during sign-in (the credential limit's window is a minute). */
const MAX_RETRY_AFTER_MS = 60_000;
/** After a refresh that got no usable answer, the current token is used this much longer before trying again. */
const REFRESH_RETRY_MS = 5_000;

/**
 * One person using the platform: signs up, logs in, keeps its access token fresh (refreshing it
 * before it expires, and once more on a 401), and sends its requests from its own connections.
 */
export class SimulatedUser {
  readonly account: TradingAccount;
  /** Its recent payments (ids), newest last, to look one up as people do after paying. */
  readonly paymentIds: string[] = [];
  private session: Session | undefined;
  private renewing: Promise<void> | undefined;
  private paymentsMade = 0;

  constructor(
    readonly index: number,
    readonly identity: UserIdentity,
    readonly sourceAddress: string | undefined,
    private readonly client: GatewayClient,
    random: () => number,
    private readonly idempotencyKeyPrefix: string,
    private readonly stopped: AbortSignal,
  ) {
    this.account = new TradingAccount(random);
  }

  /** A fresh Idempotency-Key for the next payment: one per intended payment. */
  nextIdempotencyKey(): string {
    this.paymentsMade += 1;
    return `${this.idempotencyKeyPrefix}-u${this.index}-p${this.paymentsMade}`;
  }

  /** Signs up, logs in and reads its risk limits, as the app does on first start. Undefined when signed in, else why not (SIGN_IN_STOPPED when the run ended first). */
  async signIn(): Promise<string | undefined> {
    const { email, password, phone } = this.identity;
    // 409: an earlier attempt's answer was lost but the account exists, which is all sign-up is for.
    const registered = await this.untilAnswered('users.register', [201, 409], () =>
      this.client.send('users.register', 'POST', '/api/users/register', { body: { email, password, ...(phone ? { phone } : {}) } }),
    );
    if (typeof registered === 'string') return registered;
    const loggedIn = await this.untilAnswered('users.login', [200], () => this.sendLogin());
    if (typeof loggedIn === 'string') return loggedIn;
    this.startSession(loggedIn);
    await this.readRiskLimits();
    return undefined;
  }

  /** `GET /api/risk/limits`: the limits orders are sized within, and risk's count of what the user may sell. */
  async readRiskLimits(): Promise<void> {
    const checkpoint = this.account.riskCheckpoint(performance.now());
    const answer = await this.call('risk.limits', 'GET', '/api/risk/limits');
    if (answer?.status === 200) this.account.confirmWithRisk(checkpoint, answer.body);
  }

  /** A request as this user: with a fresh access token, renewed and retried once if the gateway says 401. */
  async call(action: ActionName, method: 'GET' | 'POST', path: string, options: Omit<SendOptions, 'token'> = {}): Promise<GatewayAnswer | undefined> {
    if (this.session && performance.now() >= this.session.refreshDueAtMs) await this.renew();
    const token = this.session?.accessToken;
    const answer = await this.client.send(action, method, path, { ...options, token });
    if (answer?.status !== 401) return answer;
    if (this.session?.accessToken === token) await this.renew();
    return this.client.send(action, method, path, { ...options, token: this.session?.accessToken });
  }

  /** A public request, from this user's address, without its token. */
  callPublic(action: ActionName, path: string): Promise<GatewayAnswer | undefined> {
    return this.client.send(action, 'GET', path);
  }

  /** One renewal at a time: two refreshes with the same refresh token would revoke the session (reuse detection). */
  private renew(): Promise<void> {
    this.renewing ??= this.refreshOrLogIn().finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private async refreshOrLogIn(): Promise<void> {
    const session = this.session;
    if (!session) return;
    const refreshed = await this.client.send('users.refresh', 'POST', '/api/users/refresh', { body: { refreshToken: session.refreshToken } });
    if (refreshed?.status === 200) return this.startSession(refreshed);
    if (refreshed?.status === 401) {
      // The session ended (expired, or revoked): log in again, as the app would ask the person to.
      const loggedIn = await this.sendLogin();
      if (loggedIn?.status === 200) return this.startSession(loggedIn);
    }
    session.refreshDueAtMs = performance.now() + REFRESH_RETRY_MS;
  }

  private sendLogin(): Promise<GatewayAnswer | undefined> {
    const { email, password } = this.identity;
    return this.client.send('users.login', 'POST', '/api/users/login', { body: { email, password } });
  }

  private startSession(answer: GatewayAnswer): void {
    const body = (answer.body ?? {}) as { accessToken?: unknown; refreshToken?: unknown; expiresIn?: unknown };
    if (typeof body.accessToken !== 'string' || typeof body.refreshToken !== 'string') return;
    const lifetimeMs = (typeof body.expiresIn === 'number' && body.expiresIn > 0 ? body.expiresIn : 900) * 1000;
    // The token's exp is whole seconds, so it may end up to a second before expiresIn says; then keep a
    // third of the lifetime (at most a minute) in hand for requests already on their way.
    const usableMs = Math.max(0, lifetimeMs - 1000 - Math.min(60_000, lifetimeMs / 3));
    this.session = { accessToken: body.accessToken, refreshToken: body.refreshToken, refreshDueAtMs: answer.receivedAtMs + usableMs };
  }

  /**
   * Sends until one of `expected` comes back: waits out a 429's Retry-After, tries again after an
   * error of the gateway or the network, and gives up (saying why) on any other answer or after
   * SIGN_IN_ATTEMPTS such errors.
   */
  private async untilAnswered(action: ActionName, expected: number[], send: () => Promise<GatewayAnswer | undefined>): Promise<GatewayAnswer | string> {
    let failures = 0;
    while (!this.stopped.aborted) {
      const answer = await send();
      if (answer && expected.includes(answer.status)) return answer;
      if (answer?.status === 429) {
        await this.pause(Math.min(MAX_RETRY_AFTER_MS, Number(answer.headers['retry-after'] ?? 1) * 1000 || 1000));
        continue;
      }
      const reason = answer ? `${action} answered ${answer.status}: ${messageOf(answer.body)}` : `${action} got no answer (network error)`;
      failures += 1;
      if ((answer && answer.status < 500) || failures >= SIGN_IN_ATTEMPTS) return reason;
      await this.pause(1000 * failures);
    }
    return SIGN_IN_STOPPED;
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.stopped }).catch(() => undefined);
  }
}

function messageOf(body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : JSON.stringify(body ?? null);
}
