/**
 * An open-loop arrival process: arrivals come as a Poisson process at `ratePerSecond` whether or not
 * earlier ones have been answered, the way independent people arrive. A slow system therefore sees
 * requests pile up (or dropped, see the caller) rather than a politely slowing client.
 */
export class PoissonArrivals {
  private timer: NodeJS.Timeout | undefined;
  private nextAtMs = 0;
  private running = false;

  constructor(
    private readonly ratePerSecond: number,
    private readonly onArrival: () => void,
    private readonly random: () => number = Math.random,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`the arrival rate must be above 0, not ${ratePerSecond}`);
  }

  start(): void {
    this.running = true;
    this.nextAtMs = this.now() + this.gapMs();
    this.wake();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private wake(): void {
    if (!this.running) return;
    const now = this.now();
    // Every arrival due by now, including those a busy event loop made late: an open loop skips none.
    while (this.running && this.nextAtMs <= now) {
      this.onArrival();
      this.nextAtMs += this.gapMs();
    }
    this.timer = setTimeout(() => this.wake(), Math.max(0, this.nextAtMs - now));
  }

  /** Exponentially distributed time between arrivals, mean 1 / rate. */
  private gapMs(): number {
    return (-Math.log(1 - this.random()) / this.ratePerSecond) * 1000;
  }
}
