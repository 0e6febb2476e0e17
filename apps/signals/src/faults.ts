import { FaultRegistry } from '@ai-finance/observability';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModelDegradation } from './model/model-degradation';

/** signals' fault (docs/fault-injection.md): a model that is confidently wrong. */
@Injectable()
export class SignalsFaults implements OnModuleInit {
  constructor(
    private readonly registry: FaultRegistry,
    private readonly degradation: ModelDegradation,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      name: 'signal-accuracy-drop',
      description: 'Every new signal points the opposite way to the crossover, so the evaluated accuracy falls towards 0.',
      apply: () => this.degradation.setInverted(true),
      clear: () => this.degradation.setInverted(false),
    });
  }
}
