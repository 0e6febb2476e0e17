import type Redis from 'ioredis';

/**
 * Failed logins per account in Redis, in a window that starts at the first failure and lasts
 * `windowSeconds`; shared by every instance of the service.
 */
export class LoginFailureCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly windowSeconds: number,
  ) {}

  /** Counts one more failure and returns the number in the current window. */
  async record(userId: string): Promise<number> {
    const key = this.key(userId);
    const results = await this.redis.multi().incr(key).expire(key, this.windowSeconds, 'NX').exec();
    const [error, count] = results?.[0] ?? [new Error('Redis returned no result for INCR')];
    if (error) throw error;
    return Number(count);
  }

  async reset(userId: string): Promise<void> {
    await this.redis.del(this.key(userId));
  }

  private key(userId: string): string {
    return `${this.keyPrefix}login-failures:${userId}`;
  }
}
