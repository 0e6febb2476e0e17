import { alertKey, firingInPrometheus } from './alerts';

/**
 * Polls Prometheus for firing alerts every few seconds for the whole test and remembers when each was
 * first seen firing in its current run (an alert that resolves and fires again is seen again).
 */
export class AlertWatch {
  /** Every time an alert was seen going to firing. */
  private readonly started: Array<{ key: string; at: number }> = [];
  private current = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError: string | undefined;

  constructor(
    private readonly prometheusUrl: string,
    private readonly intervalMs = 2_500,
  ) {}

  start(): void {
    const poll = async () => {
      try {
        const firing = new Set((await firingInPrometheus(this.prometheusUrl)).map((alert) => alertKey(alert.labels)));
        for (const key of firing) if (!this.current.has(key)) this.started.push({ key, at: Date.now() });
        this.current = firing;
        this.lastError = undefined;
      } catch (error) {
        this.lastError = (error as Error).message;
      }
      // A poll still waiting for Prometheus when stop() ran must not schedule another: that kept the
      // test process alive after the run (seen in CI).
      if (!this.stopped) this.timer = setTimeout(poll, this.intervalMs);
    };
    void poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Alerts firing now, as `Name{service,...}`. */
  firingNow(): string[] {
    if (this.lastError) throw new Error(`cannot read Prometheus's alerts: ${this.lastError}`);
    return [...this.current].sort();
  }

  /** Alerts that went to firing from `since` on (whether or not they still fire). */
  firedSince(since: number): string[] {
    return [...new Set(this.started.filter((event) => event.at >= since).map((event) => event.key))].sort();
  }
}
