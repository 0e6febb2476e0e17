import type { ServiceLogger } from '@ai-finance/observability';
import type { PaymentConfig } from '../config';
import type { PaymentMetrics } from '../metrics';
import { ProviderError, type ChargeRequest, type PaymentProvider } from './payment-provider';
import { SimulatedProvider, type SimulatedProviderSettings } from './simulated-provider';

export type ProviderRole = 'primary' | 'backup';

/** The result of trying the providers in turn. `provider` is the one that answered. */
export type ProviderResult =
  | { status: 'approved'; provider: string; providerReference: string }
  | { status: 'declined'; provider: string; reason: string }
  | { status: 'unavailable'; errors: string[] };

/**
 * The primary provider and its backup. A provider error on the primary hands the charge, with the same
 * idempotency key, to the backup; a decline is an answer and is final. Settings can be changed at run
 * time with `configure` (fault switches).
 */
export class PaymentProviders {
  private readonly byRole: Record<ProviderRole, SimulatedProvider>;

  constructor(
    config: PaymentConfig,
    private readonly metrics: PaymentMetrics,
    private readonly logger: ServiceLogger,
  ) {
    const { primary, backup, latencyMs } = config.providers;
    this.byRole = {
      primary: new SimulatedProvider(primary.name, { failureRate: primary.failureRate, declineRate: primary.declineRate, latencyMs }),
      backup: new SimulatedProvider(backup.name, { failureRate: backup.failureRate, declineRate: backup.declineRate, latencyMs }),
    };
  }

  provider(role: ProviderRole): SimulatedProvider {
    return this.byRole[role];
  }

  configure(role: ProviderRole, changes: Partial<SimulatedProviderSettings>): void {
    this.byRole[role].configure(changes);
    this.logger.warn({ provider: this.byRole[role].name, role, settings: this.byRole[role].settings }, 'payment provider settings changed');
  }

  settings(): Record<ProviderRole, { name: string } & SimulatedProviderSettings> {
    return {
      primary: { name: this.byRole.primary.name, ...this.byRole.primary.settings },
      backup: { name: this.byRole.backup.name, ...this.byRole.backup.settings },
    };
  }

  async charge(request: ChargeRequest): Promise<ProviderResult> {
    const primary = this.byRole.primary;
    const backup = this.byRole.backup;
    const errors: string[] = [];
    const first = await this.tryCharge(primary, request, errors);
    if (first) return first;

    this.metrics.providerFailovers.inc({ from: primary.name, to: backup.name });
    this.logger.warn({ from_provider: primary.name, to_provider: backup.name, error_message: errors[0] }, `payment provider ${primary.name} failed; failing over to ${backup.name}`);
    const second = await this.tryCharge(backup, request, errors);
    return second ?? { status: 'unavailable', errors };
  }

  private async tryCharge(provider: PaymentProvider, request: ChargeRequest, errors: string[]): Promise<ProviderResult | undefined> {
    try {
      const outcome = await provider.charge(request);
      return outcome.status === 'approved'
        ? { status: 'approved', provider: provider.name, providerReference: outcome.providerReference }
        : { status: 'declined', provider: provider.name, reason: outcome.reason };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      errors.push(error.message);
      return undefined;
    }
  }
}
