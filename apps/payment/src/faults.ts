import { FaultRegistry } from '@ai-finance/observability';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { PAYMENT_CONFIG, type PaymentConfig } from './config';
import { PaymentProviders, type ProviderRole } from './providers/payment-providers';

/** The provider faults that are active right now. */
export interface ActiveProviderFaults {
  /** payment-provider-errors: share (0..1) of charges each provider fails; undefined while inactive. */
  errorShare: number | undefined;
  /** payment-provider-down: the primary fails every charge. */
  primaryDown: boolean;
}

export type FailureRates = Record<ProviderRole, number>;

/**
 * The failure rates the providers run with: the configured ones, plus the active faults. Injected
 * errors come on top of the configured ones as an independent cause (at a configured 0 they are exactly
 * the share asked for). Recomputed from the configuration on every change, so clearing one fault keeps
 * the other's effect and clearing both gives back exactly the configured rates.
 */
export function failureRatesUnder(configured: FailureRates, faults: ActiveProviderFaults): FailureRates {
  const withInjectedErrors = (rate: number): number => (faults.errorShare === undefined ? rate : 1 - (1 - rate) * (1 - faults.errorShare));
  return {
    primary: faults.primaryDown ? 1 : withInjectedErrors(configured.primary),
    backup: withInjectedErrors(configured.backup),
  };
}

/** payment's faults (docs/fault-injection.md): provider errors on both providers, and the primary down. */
@Injectable()
export class PaymentFaults implements OnModuleInit {
  private readonly active: ActiveProviderFaults = { errorShare: undefined, primaryDown: false };
  private readonly configured: FailureRates;

  constructor(
    private readonly registry: FaultRegistry,
    private readonly providers: PaymentProviders,
    @Inject(PAYMENT_CONFIG) config: PaymentConfig,
  ) {
    this.configured = { primary: config.providers.primary.failureRate, backup: config.providers.backup.failureRate };
  }

  onModuleInit(): void {
    this.registry.register({
      name: 'payment-provider-errors',
      description: 'Both payment providers (primary and backup) answer this share of charges with a provider error; a payment fails (502) only when the backup fails too.',
      parameter: { name: 'percent', unit: '%', integer: false, min: 1, max: 100 },
      apply: (percent) => this.update({ errorShare: percent / 100 }),
      clear: () => this.update({ errorShare: undefined }),
    });
    this.registry.register({
      name: 'payment-provider-down',
      description: 'The primary payment provider answers every charge with an error, so every payment fails over to the backup.',
      apply: () => this.update({ primaryDown: true }),
      clear: () => this.update({ primaryDown: false }),
    });
  }

  private update(changes: Partial<ActiveProviderFaults>): void {
    Object.assign(this.active, changes);
    const rates = failureRatesUnder(this.configured, this.active);
    const current = this.providers.settings();
    for (const role of ['primary', 'backup'] as const) {
      if (current[role].failureRate !== rates[role]) this.providers.configure(role, { failureRate: rates[role] });
    }
  }
}
