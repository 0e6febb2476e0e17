import { env, loadEnv } from '@ai-finance/observability';

export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');

export function loadAuditConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      /** Rows read per query by GET /audit/verify; bounds the memory a verification uses. */
      AUDIT_VERIFY_BATCH_SIZE: env.positiveInt(1_000),
      /**
       * Unacknowledged events per consumer. Appends are serialised by the chain head anyway; 1 chains
       * the events of one instance in delivery order. More instances still form one chain.
       */
      AUDIT_CONSUMER_PREFETCH: env.positiveInt(1),
      /** How often audit_chain_length and audit_last_event_timestamp_seconds are re-read from the chain head. */
      AUDIT_METRICS_REFRESH_MS: env.positiveInt(15_000),
    },
    source,
  );
  return {
    verifyBatchSize: values.AUDIT_VERIFY_BATCH_SIZE,
    consumerPrefetch: values.AUDIT_CONSUMER_PREFETCH,
    metricsRefreshMs: values.AUDIT_METRICS_REFRESH_MS,
  };
}

export type AuditConfig = ReturnType<typeof loadAuditConfig>;
