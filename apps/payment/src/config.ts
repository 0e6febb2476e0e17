import { ConfigurationError, env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

export const PAYMENT_CONFIG = Symbol('PAYMENT_CONFIG');

const PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

const providerName = (fallback: string) =>
  z.string().default(fallback).refine((value) => PROVIDER_NAME.test(value), 'must be 1 to 32 lower-case letters, digits, "-" or "_", starting with a letter');

/** A probability between 0 and 1, e.g. 0.05 for 5%. */
const rate = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);

export function loadPaymentConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      PAYMENT_PRIMARY_PROVIDER: providerName('provider-a'),
      PAYMENT_BACKUP_PROVIDER: providerName('provider-b'),
      PAYMENT_PRIMARY_FAILURE_RATE: rate(0),
      PAYMENT_BACKUP_FAILURE_RATE: rate(0),
      PAYMENT_DECLINE_RATE: rate(0),
      PAYMENT_PROVIDER_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(25),
      /** After this long an `in_progress` idempotency key whose owner never finished may be taken over. */
      PAYMENT_IDEMPOTENCY_STALE_SECONDS: env.positiveInt(60),
      /** How long a repeat of a request still in progress waits for its result before answering 409. */
      PAYMENT_IDEMPOTENCY_WAIT_MS: env.positiveInt(15_000),
      /** How often such a repeat reads the idempotency row while it waits. */
      PAYMENT_IDEMPOTENCY_POLL_MS: env.positiveInt(50),
    },
    source,
  );
  if (values.PAYMENT_PRIMARY_PROVIDER === values.PAYMENT_BACKUP_PROVIDER) {
    throw new ConfigurationError([`PAYMENT_BACKUP_PROVIDER: must differ from PAYMENT_PRIMARY_PROVIDER (both are "${values.PAYMENT_PRIMARY_PROVIDER}")`]);
  }
  return {
    providers: {
      primary: { name: values.PAYMENT_PRIMARY_PROVIDER, failureRate: values.PAYMENT_PRIMARY_FAILURE_RATE, declineRate: values.PAYMENT_DECLINE_RATE },
      backup: { name: values.PAYMENT_BACKUP_PROVIDER, failureRate: values.PAYMENT_BACKUP_FAILURE_RATE, declineRate: values.PAYMENT_DECLINE_RATE },
      latencyMs: values.PAYMENT_PROVIDER_LATENCY_MS,
    },
    idempotency: {
      staleSeconds: values.PAYMENT_IDEMPOTENCY_STALE_SECONDS,
      waitMs: values.PAYMENT_IDEMPOTENCY_WAIT_MS,
      pollMs: values.PAYMENT_IDEMPOTENCY_POLL_MS,
    },
  };
}

export type PaymentConfig = ReturnType<typeof loadPaymentConfig>;
