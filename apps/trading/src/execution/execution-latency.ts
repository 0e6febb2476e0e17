import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { TRADING_CONFIG, type TradingConfig } from '../config';

/** Most a fault may add on top of the configured latency. */
export const MAX_ADDED_LATENCY_MS = 60_000;

/**
 * The simulated exchange latency waited before every fill: TRADING_EXECUTION_LATENCY_MS, plus whatever
 * the trading-latency fault adds while the service runs.
 */
@Injectable()
export class ExecutionLatency {
  private readonly configuredMs: number;
  private addedMs = 0;

  constructor(@Inject(TRADING_CONFIG) config: TradingConfig) {
    this.configuredMs = config.executionLatencyMs;
  }

  get delayMs(): number {
    return this.configuredMs + this.addedMs;
  }

  /** Adds `addedMs` to the configured latency (0 gives back exactly the configured one). */
  setAdded(addedMs: number): void {
    if (!Number.isInteger(addedMs) || addedMs < 0 || addedMs > MAX_ADDED_LATENCY_MS) {
      throw new RangeError(`added execution latency must be 0 to ${MAX_ADDED_LATENCY_MS} ms, got ${addedMs}`);
    }
    this.addedMs = addedMs;
  }

  async wait(): Promise<void> {
    const delayMs = this.delayMs;
    if (delayMs > 0) await sleep(delayMs);
  }
}
