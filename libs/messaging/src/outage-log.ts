import type { ServiceLogger } from '@ai-finance/observability';

/** Failures in a row after the first that are logged again, so a long outage still shows it persists. */
const LOG_EVERY_NTH_FAILURE = 20;

/**
 * Logs an outage that many attempts run into without a line per attempt: its first failure, every
 * 20th after it, and the recovery with how long it lasted.
 */
export class OutageLog {
  private readonly outages = new Map<string, { since: number; failures: number }>();

  constructor(private readonly logger: ServiceLogger) {}

  failed(key: string, fields: Record<string, unknown>, message: string): void {
    const outage = this.outages.get(key) ?? { since: Date.now(), failures: 0 };
    outage.failures += 1;
    this.outages.set(key, outage);
    if (outage.failures === 1 || outage.failures % LOG_EVERY_NTH_FAILURE === 0) {
      this.logger.warn({ ...fields, failures: outage.failures, outage_seconds: secondsSince(outage.since) }, message);
    }
  }

  recovered(key: string, fields: Record<string, unknown>, message: string): void {
    const outage = this.outages.get(key);
    if (!outage) return;
    this.outages.delete(key);
    this.logger.info({ ...fields, failures: outage.failures, outage_seconds: secondsSince(outage.since) }, message);
  }
}

function secondsSince(start: number): number {
  return Math.round((Date.now() - start) / 100) / 10;
}
