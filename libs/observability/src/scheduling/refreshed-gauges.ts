import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { ServiceLogger } from '../logging/service-logger';
import { PeriodicRefresh } from './periodic-refresh';

/**
 * Gauges computed from a database on a schedule (PeriodicRefresh), started when the application has
 * bootstrapped and stopped with it. A subclass says only how to recompute them.
 */
export abstract class RefreshedGauges implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly schedule: PeriodicRefresh;

  protected constructor(options: { intervalMs: number; failureMessage: string; logger: ServiceLogger }) {
    this.schedule = new PeriodicRefresh(() => this.recompute(), options);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.schedule.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.schedule.stop();
  }

  /** Recomputes now, or joins the refresh already under way. */
  refresh(): Promise<void> {
    return this.schedule.run();
  }

  protected abstract recompute(): Promise<void>;
}
