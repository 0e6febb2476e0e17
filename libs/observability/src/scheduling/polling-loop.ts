import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { RequestContext } from '../context/request-context';

/**
 * Runs `round` every `intervalMs`, or at once when woken (after a commit that left work for it), never
 * two rounds at the same time, outside the context of whatever woke it. `round` handles its own errors.
 * Used by the outbox relay and the notification dispatcher.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private wakeRequested = false;
  private active = false;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /** False once stop() was called: a long round checks it to finish early. */
  get running(): boolean {
    return this.active;
  }

  start(): void {
    this.active = true;
    this.schedule(0);
  }

  /** Stops polling and waits for a round under way. */
  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** Runs a round now instead of at the next poll (or right after the one under way). */
  readonly wake = (): void => {
    if (!this.active) return;
    if (this.inFlight) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  };

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    // A round belongs to no request: its logs and spans must not join the one whose commit woke it.
    this.timer = context.with(ROOT_CONTEXT, () => RequestContext.detached(() => setTimeout(() => void this.tick(), delayMs)));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (!this.active || this.inFlight) return;
    this.inFlight = this.round().finally(() => {
      this.inFlight = undefined;
    });
    await this.inFlight;
    if (!this.active) return;
    const again = this.wakeRequested;
    this.wakeRequested = false;
    this.schedule(again ? 0 : this.intervalMs);
  }
}
