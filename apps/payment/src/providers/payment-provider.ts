import type { Currency, PaymentMethod } from '@ai-finance/contracts';

export interface ChargeRequest {
  /** The provider charges a key at most once: a repeat gets the first answer back. */
  idempotencyKey: string;
  /** Decimal string with two decimals, e.g. "49.99". */
  amount: string;
  currency: Currency;
  method: PaymentMethod;
}

/** What a provider answers: it took the money, or it refused to (a business answer, not an error). */
export type ChargeOutcome = { status: 'approved'; providerReference: string } | { status: 'declined'; reason: string };

/**
 * A payment provider. `charge` resolves with the provider's answer, or throws `ProviderError` when the
 * provider could not answer (outage, timeout): only then is another provider worth trying.
 */
export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
}

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'ProviderError';
  }
}
