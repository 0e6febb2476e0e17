import { EVENTS, type PaymentFailed, type PaymentSucceeded } from '@ai-finance/contracts';
import { PG_ERRORS, pgErrorCode, type Database } from '@ai-finance/database';
import type { Outbox } from '@ai-finance/messaging';
import { RequestContext, toErrorBody, type ServiceLogger } from '@ai-finance/observability';
import { ConflictException, HttpException, HttpStatus, UnprocessableEntityException } from '@nestjs/common';
import Decimal from 'decimal.js';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PaymentConfig } from '../config';
import type { PaymentLedger } from '../ledger/payment-ledger';
import type { PaymentMetrics } from '../metrics';
import type { PaymentProviders, ProviderResult } from '../providers/payment-providers';
import { fingerprintOf, type Claim, type IdempotencyKeys, type StoredResponse } from './idempotency-keys';
import type { PaymentRecords, PaymentStatus, PaymentView } from './payment-records';
import type { CreatePaymentRequest } from './payment-request';

export interface SubmittedPayment {
  response: StoredResponse;
  /** True when the response is the stored one of an earlier request with the same key. */
  replayed: boolean;
}

/** Thrown inside the recording transaction when another request took the key over meanwhile. */
class ClaimLost extends Error {}

const STATUS_OF: Record<ProviderResult['status'], PaymentStatus> = { approved: 'succeeded', declined: 'declined', unavailable: 'failed' };

/**
 * Takes a payment request with its Idempotency-Key and charges it at most once.
 *
 * 1. Claim: one INSERT ... ON CONFLICT DO NOTHING of the key as `in_progress`. Exactly one request wins.
 * 2. The winner calls the providers outside any transaction, passing an idempotency key derived from
 *    (user, key), so a retried or taken-over charge is never charged twice by a provider.
 * 3. One transaction writes the payment, its ledger entry, its event (outbox) and the response on the
 *    key row (`completed`), and only if the claim is still this request's.
 * Every other request with the key polls the row (one short statement per poll, no connection held in
 * between) and returns the stored response, or 409 after PAYMENT_IDEMPOTENCY_WAIT_MS. A claim older than
 * PAYMENT_IDEMPOTENCY_STALE_SECONDS (its owner crashed) may be taken over by a repeat.
 */
export class PaymentProcessor {
  constructor(
    private readonly config: PaymentConfig,
    private readonly database: Database,
    private readonly keys: IdempotencyKeys,
    private readonly records: PaymentRecords,
    private readonly ledger: PaymentLedger,
    private readonly providers: PaymentProviders,
    private readonly outbox: Outbox,
    private readonly metrics: PaymentMetrics,
    private readonly logger: ServiceLogger,
  ) {}

  async submit(userId: string, key: string, request: CreatePaymentRequest): Promise<SubmittedPayment> {
    // "10" and "10.00" are the same request; the response always shows two decimals.
    const normalized = { amount: new Decimal(request.amount).toFixed(2), currency: request.currency, method: request.method, plan: request.plan };
    const fingerprint = fingerprintOf(normalized);
    const { staleSeconds, waitMs, pollMs } = this.config.idempotency;
    const deadline = Date.now() + waitMs;
    let mayClaim = true;

    for (;;) {
      const claim: Claim = { userId, key, paymentId: randomUUID(), token: randomUUID() };
      if (mayClaim && (await this.keys.claim(claim, fingerprint))) {
        const response = await this.chargeAndRecord(claim, normalized);
        if (response) return { response, replayed: false };
      }
      const existing = await this.keys.find(userId, key, staleSeconds);
      // Gone: its owner failed to record and released it; claim it ourselves next round.
      mayClaim = existing === undefined;
      if (existing) {
        if (existing.fingerprint !== fingerprint) throw new UnprocessableEntityException('Idempotency-Key was already used with a different request');
        if (existing.state === 'completed') return { response: existing.response, replayed: true };
        if (existing.stale) {
          const takeover: Claim = { ...claim, paymentId: existing.paymentId };
          if (await this.keys.takeOver(takeover, staleSeconds)) {
            this.logger.warn({ payment_id: existing.paymentId, stale_seconds: staleSeconds }, 'took over an idempotency key whose request never finished');
            const response = await this.chargeAndRecord(takeover, normalized);
            if (response) return { response, replayed: false };
          }
        }
      }
      if (Date.now() >= deadline) throw new ConflictException('a request with this Idempotency-Key is still in progress; retry later');
      await sleep(pollMs);
    }
  }

  /** Charges through the providers and records the outcome; undefined when the claim was lost meanwhile. */
  private async chargeAndRecord(claim: Claim, request: NormalizedRequest): Promise<StoredResponse | undefined> {
    const started = performance.now();
    let result: ProviderResult;
    try {
      result = await this.providers.charge({
        idempotencyKey: `${claim.userId}:${claim.key}`,
        amount: request.amount,
        currency: request.currency,
        method: request.method,
      });
    } catch (error) {
      await this.keys.release(claim).catch(() => undefined);
      throw error;
    }
    const status = STATUS_OF[result.status];
    const provider = result.status === 'unavailable' ? null : result.provider;
    const failureReason = result.status === 'declined' ? 'declined' : result.status === 'unavailable' ? 'providers_unavailable' : null;

    let recorded: { payment: PaymentView; response: StoredResponse };
    try {
      recorded = await this.database.transaction('record_payment', async (tx) => {
        const payment = await this.records.insert(tx, {
          paymentId: claim.paymentId,
          userId: claim.userId,
          idempotencyKey: claim.key,
          ...request,
          status,
          provider,
          providerReference: result.status === 'approved' ? result.providerReference : null,
          failureReason,
        });
        if (result.status === 'approved') {
          await this.ledger.recordPayment(tx, { paymentId: payment.paymentId, amount: payment.amount, currency: payment.currency, plan: payment.plan, provider: result.provider });
          const event: PaymentSucceeded = {
            paymentId: payment.paymentId,
            userId: claim.userId,
            amount: payment.amount,
            currency: payment.currency,
            method: payment.method,
            provider: result.provider,
            plan: payment.plan,
            occurredAt: payment.createdAt,
          };
          await this.outbox.enqueue(tx, EVENTS.paymentSucceeded, event);
        } else {
          const event: PaymentFailed = {
            paymentId: payment.paymentId,
            userId: claim.userId,
            amount: payment.amount,
            currency: payment.currency,
            method: payment.method,
            reason: failureReason!,
            occurredAt: payment.createdAt,
          };
          await this.outbox.enqueue(tx, EVENTS.paymentFailed, event);
        }
        const response = responseFor(payment, result);
        if (!(await this.keys.complete(tx, claim, response))) throw new ClaimLost();
        return { payment, response };
      });
    } catch (error) {
      if (error instanceof ClaimLost || pgErrorCode(error) === PG_ERRORS.uniqueViolation) {
        this.logger.warn({ payment_id: claim.paymentId }, 'another request took over this Idempotency-Key and recorded the payment; returning its response');
        return undefined;
      }
      // Nothing was recorded: give the key back so that a retry charges again (the provider remembers the key).
      await this.keys.release(claim).catch(() => undefined);
      throw error;
    }

    const { payment, response } = recorded;
    const providerLabel = provider ?? 'none';
    this.metrics.payments.inc({ method: payment.method, status, provider: providerLabel });
    this.metrics.processingDuration.observe({ status }, (performance.now() - started) / 1000);
    if (status === 'succeeded') this.metrics.revenue.inc({ currency: payment.currency, method: payment.method }, Number(payment.amount));
    const fields = {
      log_type: 'payment_transaction',
      transaction_id: payment.paymentId,
      amount: payment.amount,
      currency: payment.currency,
      status,
      method: payment.method,
      provider: providerLabel,
      plan: payment.plan,
      ...(result.status === 'declined' ? { decline_reason: result.reason } : {}),
      ...(result.status === 'unavailable' ? { provider_errors: result.errors } : {}),
    };
    if (status === 'succeeded') this.logger.info(fields, `payment succeeded via ${providerLabel}`);
    else if (status === 'declined') this.logger.warn(fields, `payment declined by ${providerLabel}`);
    else this.logger.error(fields, 'payment failed: payment providers unavailable');
    return response;
  }
}

type NormalizedRequest = Pick<CreatePaymentRequest, 'currency' | 'method' | 'plan'> & { amount: string };

/** The exact response every request with this key gets: 201 with the payment, or the error shape. */
function responseFor(payment: PaymentView, result: ProviderResult): StoredResponse {
  const requestId = RequestContext.current()?.requestId;
  if (result.status === 'approved') {
    const { paymentId, status, amount, currency, method, plan, createdAt } = payment;
    return { statusCode: 201, body: JSON.stringify({ paymentId, status, amount, currency, method, plan, provider: result.provider, createdAt }) };
  }
  // The platform's error shape, with the payment's own fields: what the filter would send, kept for replays.
  const refusal =
    result.status === 'declined'
      ? new HttpException({ message: `the payment was declined by ${result.provider}`, status: 'declined', paymentId: payment.paymentId, provider: result.provider }, HttpStatus.PAYMENT_REQUIRED)
      : new HttpException({ message: 'payment providers unavailable', status: 'failed', paymentId: payment.paymentId }, HttpStatus.BAD_GATEWAY);
  return { statusCode: refusal.getStatus(), body: JSON.stringify(toErrorBody(refusal, requestId)) };
}
