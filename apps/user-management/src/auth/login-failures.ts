import type { ServiceLogger } from '@ai-finance/observability';
import type Redis from 'ioredis';

export interface LoginFailureCounterOptions {
  /** Accounts whose failures the in-memory fallback holds at most; past it, the oldest window is dropped. */
  maxAccountsInMemory: number;
  now?: () => number;
}

interface WindowInMemory {
  count: number;
  endsAt: number;
}

const DEFAULT_OPTIONS: LoginFailureCounterOptions = { maxAccountsInMemory: 100_000 };

/**
 * Failed logins per account in Redis, in a window that starts at the first failure and lasts
 * `windowSeconds`; shared by every instance of the service.
 *
 * While Redis is unreachable, failures are counted in this process's memory instead, with the same
 * window, so that lockout keeps working (the lock itself is a PostgreSQL row, which every instance
 * honours). This fails open for availability: logins go on, and with N instances behind a load balancer
 * a guesser gets at most about N times the limit before the lock instead of none. Failing closed
 * (refusing every login while Redis is away) would turn a cache outage into a login outage. Counts kept
 * in memory are not carried into Redis when it returns; they are the fallback's, and expire with it.
 */
export class LoginFailureCounter {
  private readonly options: Required<LoginFailureCounterOptions>;
  // Insertion order is window order (a window is never moved), so the first entry ends first.
  private readonly memory = new Map<string, WindowInMemory>();
  private redisDown = false;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly windowSeconds: number,
    private readonly logger: ServiceLogger,
    options: LoginFailureCounterOptions = DEFAULT_OPTIONS,
  ) {
    this.options = { now: Date.now, ...options };
  }

  /** Counts one more failure and returns the number in the current window. */
  async record(userId: string): Promise<number> {
    try {
      const key = this.key(userId);
      const results = await this.redis.multi().incr(key).expire(key, this.windowSeconds, 'NX').exec();
      const [error, count] = results?.[0] ?? [new Error('Redis returned no result for INCR')];
      if (error) throw error;
      this.redisIsBack();
      return Number(count);
    } catch (error) {
      this.redisIsDown(error);
      return this.recordInMemory(userId);
    }
  }

  /** Clears the account's failures; never fails, so a successful login is not refused over its bookkeeping. */
  async reset(userId: string): Promise<void> {
    this.memory.delete(userId);
    try {
      await this.redis.del(this.key(userId));
      this.redisIsBack();
    } catch (error) {
      this.redisIsDown(error);
    }
  }

  private recordInMemory(userId: string): number {
    const now = this.options.now();
    this.forgetEndedWindows(now);
    const current = this.memory.get(userId);
    if (current && current.endsAt > now) {
      current.count += 1;
      return current.count;
    }
    this.memory.delete(userId);
    this.memory.set(userId, { count: 1, endsAt: now + this.windowSeconds * 1_000 });
    if (this.memory.size > this.options.maxAccountsInMemory) this.memory.delete(this.memory.keys().next().value as string);
    return 1;
  }

  private forgetEndedWindows(now: number): void {
    for (const [userId, window] of this.memory) {
      if (window.endsAt > now) return;
      this.memory.delete(userId);
    }
  }

  // One warning per outage: every failed login of an outage would otherwise repeat it.
  private redisIsDown(error: unknown): void {
    if (this.redisDown) return;
    this.redisDown = true;
    this.logger.warn(
      { error },
      'Redis is unavailable: failed logins are counted in memory, per instance, until it returns; lockout still applies',
    );
  }

  private redisIsBack(): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    this.logger.info({}, 'Redis answers again: failed logins are counted in Redis again, shared by every instance');
  }

  private key(userId: string): string {
    return `${this.keyPrefix}login-failures:${userId}`;
  }
}
