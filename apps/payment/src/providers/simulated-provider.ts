import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError, type ChargeOutcome, type ChargeRequest, type PaymentProvider } from './payment-provider';

export interface SimulatedProviderSettings {
  /** Share of charges that fail with a provider error (0..1). */
  failureRate: number;
  /** Share of answered charges that are declined (0..1). */
  declineRate: number;
  /** Time every call takes. */
  latencyMs: number;
}

/** How many answered idempotency keys a provider remembers; the oldest are forgotten first. */
const REMEMBERED_KEYS = 100_000;

/**
 * An in-process stand-in for a card/bank/wallet processor. Like a real one it is idempotent: an
 * answered key (approved or declined) gets the same answer again, and two concurrent charges with
 * one key share one answer. Errors are not remembered: a retry after an outage may succeed.
 * Its memory lives in the process, so it survives a retry but not a restart of the service.
 */
export class SimulatedProvider implements PaymentProvider {
  private readonly answered = new Map<string, ChargeOutcome>();
  private readonly inFlight = new Map<string, Promise<ChargeOutcome>>();
  private current: SimulatedProviderSettings;
  private calls = 0;

  constructor(
    readonly name: string,
    settings: SimulatedProviderSettings,
    private readonly random: () => number = Math.random,
  ) {
    this.current = { ...settings };
  }

  get settings(): Readonly<SimulatedProviderSettings> {
    return { ...this.current };
  }

  /** Changes how the provider behaves from the next charge on (fault injection at run time). */
  configure(changes: Partial<SimulatedProviderSettings>): void {
    const next = { ...this.current, ...changes };
    for (const rate of ['failureRate', 'declineRate'] as const) {
      if (!(next[rate] >= 0 && next[rate] <= 1)) throw new RangeError(`${rate} must be between 0 and 1, got ${next[rate]}`);
    }
    if (!(Number.isInteger(next.latencyMs) && next.latencyMs >= 0)) throw new RangeError(`latencyMs must be a non-negative integer, got ${next.latencyMs}`);
    this.current = next;
  }

  /** Calls of `charge` so far, including repeats of a key and those that failed. */
  get chargeCalls(): number {
    return this.calls;
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    this.calls += 1;
    const pending = this.inFlight.get(request.idempotencyKey);
    if (pending) return pending;
    const attempt = this.answer(request).finally(() => this.inFlight.delete(request.idempotencyKey));
    this.inFlight.set(request.idempotencyKey, attempt);
    return attempt;
  }

  private async answer(request: ChargeRequest): Promise<ChargeOutcome> {
    const { failureRate, declineRate, latencyMs } = this.current;
    if (latencyMs > 0) await sleep(latencyMs);
    if (this.random() < failureRate) throw new ProviderError(this.name, 'simulated provider error (service unavailable)');
    const known = this.answered.get(request.idempotencyKey);
    if (known) return known;
    const outcome: ChargeOutcome =
      this.random() < declineRate
        ? { status: 'declined', reason: request.method === 'card' ? 'card_declined' : 'insufficient_funds' }
        : { status: 'approved', providerReference: `${this.name}_${randomUUID()}` };
    this.answered.set(request.idempotencyKey, outcome);
    if (this.answered.size > REMEMBERED_KEYS) this.answered.delete(this.answered.keys().next().value as string);
    return outcome;
  }
}
