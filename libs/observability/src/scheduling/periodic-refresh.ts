import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { RequestContext } from '../context/request-context';
import type { ServiceLogger } from '../logging/service-logger';

/**
 * Runs `work` once at start and then every `intervalMs`, never twice at the same time, outside any
 * request's context. A failure is logged as `failureMessage` and the next run tries again, so gauges
 * computed from a database keep their last values while it is away.
 */
export class PeriodicRefresh {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly options: { intervalMs: number; failureMessage: string; logger: ServiceLogger },
  ) {}

  async start(): Promise<void> {
    await this.run();
    this.timer = context.with(ROOT_CONTEXT, () => RequestContext.detached(() => setInterval(() => void this.run(), this.options.intervalMs)));
    this.timer.unref();
  }

  /** Stops the schedule and waits for a run under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Runs now, or joins the run already under way. */
  run(): Promise<void> {
    this.inFlight ??= this.work()
      .catch((error: unknown) => this.options.logger.warn({ error }, this.options.failureMessage))
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
