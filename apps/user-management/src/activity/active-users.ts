import type { ServiceLogger } from '@ai-finance/observability';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import { ACTIVE_USER_WINDOWS, type UserManagementMetrics } from '../metrics';

const LONGEST_WINDOW_MS = Math.max(...ACTIVE_USER_WINDOWS.map((window) => window.seconds)) * 1_000;

/**
 * Who was active when: a Redis sorted set of user ids scored by their latest login or refresh (ms).
 * A periodic job turns it into `active_users{window}` with ZCOUNT and prunes members past the
 * longest window, so the set stays bounded by the users of the last seven days.
 */
export class ActiveUsers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly refreshIntervalMs: number,
    private readonly metrics: UserManagementMetrics,
    private readonly logger: ServiceLogger,
  ) {}

  get key(): string {
    return `${this.keyPrefix}active-users`;
  }

  /** Marks `userId` active now. A Redis failure is logged and does not fail the login it belongs to. */
  async record(userId: string, now: number = Date.now()): Promise<void> {
    try {
      await this.redis.zadd(this.key, now, userId);
    } catch (error) {
      this.logger.warn({ error }, 'could not record the user as active in Redis; active_users will miss this activity');
    }
  }

  /** Prunes old members and sets the gauges; on a Redis failure the gauges keep their previous values. */
  async refresh(now: number = Date.now()): Promise<void> {
    try {
      const pipeline = this.redis.multi().zremrangebyscore(this.key, '-inf', `(${now - LONGEST_WINDOW_MS}`);
      for (const { seconds } of ACTIVE_USER_WINDOWS) pipeline.zcount(this.key, now - seconds * 1_000, '+inf');
      const results = await pipeline.exec();
      if (!results) throw new Error('the Redis transaction was aborted');
      const failed = results.find(([error]) => error !== null);
      if (failed) throw failed[0];
      ACTIVE_USER_WINDOWS.forEach(({ window }, index) => this.metrics.activeUsers.set({ window }, Number(results[index + 1]![1])));
    } catch (error) {
      this.logger.warn({ error }, 'could not count active users in Redis; active_users keeps its previous values');
    }
  }

  /** Counts once at start (as soon as Redis is connected), then every `refreshIntervalMs`. */
  onApplicationBootstrap(): void {
    if (this.redis.status === 'ready') this.refreshInBackground();
    else this.redis.once('ready', this.onFirstReady);
    this.timer = setInterval(() => this.refreshInBackground(), this.refreshIntervalMs);
    this.timer.unref();
  }

  private readonly onFirstReady = (): void => this.refreshInBackground();

  private refreshInBackground(): void {
    if (this.inFlight) return;
    this.inFlight = this.refresh().finally(() => {
      this.inFlight = undefined;
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.redis.off('ready', this.onFirstReady);
    await this.inFlight;
  }
}
