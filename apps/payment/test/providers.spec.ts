import { ProviderError } from '../src/providers/payment-provider';
import { SimulatedProvider } from '../src/providers/simulated-provider';
import { loadPaymentConfig } from '../src/config';
import { failureRatesUnder } from '../src/faults';

const REQUEST = { idempotencyKey: 'user:key-00000001', amount: '49.99', currency: 'EUR', method: 'card' } as const;

describe('SimulatedProvider', () => {
  it('answers a repeated idempotency key with the first answer, so a retried charge is not charged twice', async () => {
    const provider = new SimulatedProvider('provider-a', { failureRate: 0, declineRate: 0, latencyMs: 0 });

    const first = await provider.charge(REQUEST);
    const again = await provider.charge(REQUEST);

    expect(first).toEqual({ status: 'approved', providerReference: expect.stringMatching(/^provider-a_/) });
    expect(again).toEqual(first);
    expect(await provider.charge({ ...REQUEST, idempotencyKey: 'user:key-00000002' })).not.toEqual(first);
  });

  it('shares one answer between concurrent charges with the same key', async () => {
    const provider = new SimulatedProvider('provider-a', { failureRate: 0, declineRate: 0, latencyMs: 20 });

    const answers = await Promise.all(Array.from({ length: 5 }, () => provider.charge(REQUEST)));

    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(provider.chargeCalls).toBe(5);
  });

  it('throws ProviderError at failureRate 1 and does not remember the error: the retry after recovery is approved', async () => {
    const provider = new SimulatedProvider('provider-a', { failureRate: 1, declineRate: 0, latencyMs: 0 });

    await expect(provider.charge(REQUEST)).rejects.toBeInstanceOf(ProviderError);
    provider.configure({ failureRate: 0 });
    await expect(provider.charge(REQUEST)).resolves.toMatchObject({ status: 'approved' });
  });

  it('declines at declineRate 1 and keeps declining the same key', async () => {
    const provider = new SimulatedProvider('provider-a', { failureRate: 0, declineRate: 1, latencyMs: 0 });

    const declined = await provider.charge(REQUEST);
    provider.configure({ declineRate: 0 });

    expect(declined).toEqual({ status: 'declined', reason: 'card_declined' });
    expect(await provider.charge(REQUEST)).toEqual(declined);
  });

  it('refuses settings outside their range at run time', () => {
    const provider = new SimulatedProvider('provider-a', { failureRate: 0, declineRate: 0, latencyMs: 0 });
    expect(() => provider.configure({ failureRate: 1.5 })).toThrow('failureRate must be between 0 and 1');
    expect(() => provider.configure({ latencyMs: -1 })).toThrow('latencyMs must be a non-negative integer');
  });
});

describe('loadPaymentConfig', () => {
  it('has the documented defaults', () => {
    expect(loadPaymentConfig({})).toEqual({
      providers: {
        primary: { name: 'provider-a', failureRate: 0, declineRate: 0 },
        backup: { name: 'provider-b', failureRate: 0, declineRate: 0 },
        latencyMs: 25,
      },
      idempotency: { staleSeconds: 60, waitMs: 15_000, pollMs: 50 },
    });
  });

  it('names the variable of a bad value', () => {
    expect(() => loadPaymentConfig({ PAYMENT_PRIMARY_FAILURE_RATE: '2' })).toThrow(/PAYMENT_PRIMARY_FAILURE_RATE: .*\(got "2"\)/);
    expect(() => loadPaymentConfig({ PAYMENT_IDEMPOTENCY_STALE_SECONDS: '0' })).toThrow(/PAYMENT_IDEMPOTENCY_STALE_SECONDS/);
    expect(() => loadPaymentConfig({ PAYMENT_BACKUP_PROVIDER: 'provider-a' })).toThrow(/PAYMENT_BACKUP_PROVIDER: must differ from PAYMENT_PRIMARY_PROVIDER/);
    expect(() => loadPaymentConfig({ PAYMENT_PRIMARY_PROVIDER: 'Bad Name' })).toThrow(/PAYMENT_PRIMARY_PROVIDER/);
  });
});

describe('failureRatesUnder (the provider faults on top of the configured rates)', () => {
  const none = { errorShare: undefined, primaryDown: false };

  it('is exactly the configured rates while no fault is active', () => {
    expect(failureRatesUnder({ primary: 0.05, backup: 0.01 }, none)).toEqual({ primary: 0.05, backup: 0.01 });
  });

  it('gives both providers the injected share at a configured 0, and adds it as an independent cause otherwise', () => {
    expect(failureRatesUnder({ primary: 0, backup: 0 }, { ...none, errorShare: 0.5 })).toEqual({ primary: 0.5, backup: 0.5 });
    expect(failureRatesUnder({ primary: 0.1, backup: 0 }, { ...none, errorShare: 0.5 }).primary).toBeCloseTo(0.55, 12);
  });

  it('fails every charge of the primary while it is down, whatever the injected share, and leaves the backup to the share', () => {
    expect(failureRatesUnder({ primary: 0.05, backup: 0.01 }, { errorShare: undefined, primaryDown: true })).toEqual({ primary: 1, backup: 0.01 });
    expect(failureRatesUnder({ primary: 0, backup: 0 }, { errorShare: 0.25, primaryDown: true })).toEqual({ primary: 1, backup: 0.25 });
  });
});
