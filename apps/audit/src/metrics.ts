import { ServiceMetrics } from '@ai-finance/observability';

/** audit's business metrics, declared in one place. `event_type` is bounded by the known routing keys. */
export function declareAuditMetrics(metrics: ServiceMetrics) {
  return {
    eventsRecorded: metrics.counter({
      name: 'audit_events_recorded_total',
      help: 'Business events appended to the hash-chained audit log, by event type (routing key; "other" for unknown keys).',
      labelNames: ['event_type'],
    }),
    verifications: metrics.counter({
      name: 'audit_chain_verifications_total',
      help: 'Verifications of the audit hash chain, by result (valid, invalid).',
      labelNames: ['result'],
    }),
    lastEventTimestamp: metrics.gauge({
      name: 'audit_last_event_timestamp_seconds',
      help: 'Unix time at which the latest event was recorded in the audit log; 0 while the log is empty.',
    }),
    chainLength: metrics.gauge({
      name: 'audit_chain_length',
      help: 'Number of events in the audit hash chain (the sequence of its head).',
    }),
  };
}

export type AuditMetrics = ReturnType<typeof declareAuditMetrics>;
export const AUDIT_METRICS = Symbol('AUDIT_METRICS');
