import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { TRADING_CONFIG, type TradingConfig } from '../config';

/**
 * The simulated exchange latency added before every fill. Starts at TRADING_EXECUTION_LATENCY_MS and
 * can be changed while the service runs (fault switches inject this provider).
 */
@Injectable()
export class ExecutionLatency {
  private currentMs: number;

  constructor(@Inject(TRADING_CONFIG) config: TradingConfig) {
    this.currentMs = config.executionLatencyMs;
  }

  get delayMs(): number {
    return this.currentMs;
  }

  set(delayMs: number): void {
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 60_000) throw new RangeError(`execution latency must be 0 to 60000 ms, got ${delayMs}`);
    this.currentMs = delayMs;
  }

  async wait(): Promise<void> {
    if (this.currentMs > 0) await sleep(this.currentMs);
  }
}
