import { audit, gateway, marketData, notifications, payments, portfolio, revenue, risk, signals, trading, users, type BusinessPanel } from './business';

/*
 * What each service emits beyond the metrics every service has (docs/observability.md): which libraries
 * it uses (libs/database, libs/messaging, the traced HTTP client) and its own business metrics
 * (apps/<service>/src/metrics.ts). The service dashboards show a section only where its metrics exist.
 * A test checks that this lists exactly the services of the SLO spec.
 */

export interface ServiceTelemetry {
  /** PostgreSQL through libs/database: db_pool_*, db_query_duration_seconds. */
  database: boolean;
  /** RabbitMQ through libs/messaging. */
  messaging: {
    /** messages_published_total: events (through the outbox) or market ticks. */
    publishes: boolean;
    /** messages_consumed_total. */
    consumes: boolean;
    /** outbox_* gauges that move: the service publishes through the transactional outbox. */
    outbox: boolean;
  } | null;
  /** Calls other services through TracedHttpClient: http_client_request_duration_seconds{target}. */
  calls: boolean;
  business: BusinessPanel[];
}

const publisher = { publishes: true, consumes: false, outbox: true };
const consumer = { publishes: false, consumes: true, outbox: false };
const both = { publishes: true, consumes: true, outbox: true };

export const SERVICE_TELEMETRY: Record<string, ServiceTelemetry> = {
  'api-gateway': {
    database: false,
    messaging: null,
    calls: true,
    business: [gateway.features, users.securityEvents, gateway.upstreamFailures, users.featureUsage, users.offenders],
  },
  'user-management': {
    database: true,
    messaging: publisher,
    calls: false,
    business: [users.active, users.registrationsInRange, users.activeOverTime, users.registrations, users.logins, users.securityEvents, users.sessionDuration],
  },
  payment: {
    database: true,
    messaging: publisher,
    calls: false,
    business: [revenue.inRange, revenue.perHour, revenue.vsDayEarlier, payments.successRatio, payments.byOutcome, payments.processingLatency, payments.failovers],
  },
  trading: {
    database: true,
    messaging: both,
    calls: true,
    business: [trading.volumeInRange, trading.volumePerMinute, trading.tradesPerMinute, trading.ordersByStatus, trading.executionRate, trading.executionLatency],
  },
  'market-data': {
    database: false,
    messaging: { publishes: true, consumes: false, outbox: false },
    calls: false,
    business: [marketData.tickAge, marketData.ticks, marketData.feedLatency, marketData.quotes, marketData.prices],
  },
  signals: {
    database: true,
    messaging: both,
    calls: false,
    business: [signals.accuracy, signals.evaluations, signals.generated, signals.confidence],
  },
  portfolio: {
    database: true,
    messaging: consumer,
    calls: false,
    business: [portfolio.positionsOpen, portfolio.pnl, portfolio.tradesApplied],
  },
  risk: {
    database: true,
    messaging: consumer,
    calls: false,
    business: [risk.checks, risk.checkLatency],
  },
  notification: {
    database: true,
    messaging: both,
    calls: true,
    business: [notifications.pending, notifications.sent, notifications.deliveryLatency],
  },
  audit: {
    database: true,
    messaging: consumer,
    calls: false,
    business: [audit.chainLength, audit.verifications, audit.sinceLastEvent, audit.events],
  },
};

export function telemetryOf(service: string): ServiceTelemetry {
  const telemetry = SERVICE_TELEMETRY[service];
  if (!telemetry) throw new Error(`no dashboard telemetry listed for service ${service} (tools/monitoring/src/grafana/services.ts)`);
  return telemetry;
}
