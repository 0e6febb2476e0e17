import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayConfig } from '../config';

export type LimitName = 'ip' | 'user' | 'credentials';

export type LimitVerdict = { allowed: true } | { allowed: false; limit: LimitName; retryAfterSeconds: number; firstRejection: boolean };

/**
 * Fixed-window limits kept in Redis so that every gateway instance shares them. If Redis fails, each
 * instance falls back to the same limits in its own memory: degraded (a client could get N times the
 * limit across N instances) but never unlimited, and never a refusal of all traffic.
 */
export class RateLimits {
  private readonly limiters: Record<LimitName, RateLimiterRedis>;

  constructor(redis: Redis, config: GatewayConfig) {
    const { windowSeconds, perIp, perUser, authPerIp } = config.rateLimits;
    const limiter = (name: LimitName, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.redisKeyPrefix}rate-limit:${name}`,
        points,
        duration: windowSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points, duration: windowSeconds }),
      });
    this.limiters = { ip: limiter('ip', perIp), user: limiter('user', perUser), credentials: limiter('credentials', authPerIp) };
  }

  async consume(limit: LimitName, key: string): Promise<LimitVerdict> {
    try {
      await this.limiters[limit].consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return {
        allowed: false,
        limit,
        retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        // Only the first refusal of a window is logged, so a flood cannot flood the logs too.
        firstRejection: rejection.consumedPoints === this.limiters[limit].points + 1,
      };
    }
  }
}
