import { ServiceMetrics } from '@ai-finance/observability';
import { OffenderTracker, type OffenceType } from './security/offender-tracker';

const OFFENCE_TYPES: OffenceType[] = ['auth_failure', 'rate_limited', 'invalid_token'];
/** Addresses named per event type at each scrape: enough to see an attack, few enough to stay bounded. */
const TOP_OFFENDERS = 5;

/** The `type` values of the gateway's security_events_total: a fixed set, each also a `security_event` log line. */
export const GATEWAY_SECURITY_EVENT_TYPES = ['missing_token', 'invalid_token', 'forbidden', 'rate_limited'] as const;
export type GatewaySecurityEventType = (typeof GATEWAY_SECURITY_EVENT_TYPES)[number];

/** api-gateway's business and security metrics, declared in one place. */
export function declareGatewayMetrics(metrics: ServiceMetrics, offenders: OffenderTracker = defaultOffenderTracker()) {
  const declared = {
    offenders,
    topOffenders: metrics.gauge({
      name: 'security_offender_events',
      help: `Security events of the last 5 minutes from each of the ${TOP_OFFENDERS} client addresses with most of them, by type (auth_failure: failed logins; rate_limited; invalid_token). Only the worst addresses have a series.`,
      labelNames: ['type', 'ip_address'],
      collect() {
        this.reset();
        for (const type of OFFENCE_TYPES) {
          for (const offender of offenders.top(type, TOP_OFFENDERS)) this.set({ type, ip_address: offender.ipAddress }, offender.events);
        }
      },
    }),
    featureUsage: metrics.counter({
      name: 'feature_usage_total',
      help: 'Requests let through to a service, by product feature (the route table names them).',
      labelNames: ['feature'],
    }),
    securityEvents: metrics.counter({
      name: 'security_events_total',
      help: 'Security events seen at the gateway: missing_token (no bearer token on a protected route), invalid_token, forbidden, rate_limited.',
      labelNames: ['type'],
    }),
  };
  // Every series exists from the start, so rate() and alert rules see a zero rather than nothing.
  for (const type of GATEWAY_SECURITY_EVENT_TYPES) declared.securityEvents.inc({ type }, 0);
  return declared;
}

/** Five minutes in one-minute slices; at most 10,000 addresses per type in memory. */
function defaultOffenderTracker(): OffenderTracker {
  return new OffenderTracker({ windowMs: 5 * 60_000, slices: 5, maxAddresses: 10_000 });
}

export type GatewayMetrics = ReturnType<typeof declareGatewayMetrics>;
export const GATEWAY_METRICS = Symbol('GATEWAY_METRICS');
