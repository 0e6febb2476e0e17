import { FaultRegistry } from '@ai-finance/observability';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ExecutionLatency, MAX_ADDED_LATENCY_MS } from './execution/execution-latency';

/** trading's fault (docs/fault-injection.md): slow fills. */
@Injectable()
export class TradingFaults implements OnModuleInit {
  constructor(
    private readonly registry: FaultRegistry,
    private readonly latency: ExecutionLatency,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      name: 'trading-latency',
      description: 'Adds this delay to the configured execution latency (TRADING_EXECUTION_LATENCY_MS) before every fill.',
      parameter: { name: 'delayMs', unit: 'ms', integer: true, min: 1, max: MAX_ADDED_LATENCY_MS },
      apply: (delayMs) => this.latency.setAdded(delayMs),
      clear: () => this.latency.setAdded(0),
    });
  }
}
