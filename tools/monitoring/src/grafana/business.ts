import { dashboard } from './dashboard';
import type { Dashboard } from './model';
import { alertLine, bars, query, stat, steps, table, timeseries, type PanelSpec } from './panels';
import { age, dayEarlier, matchers, max, min, perHour, perMinute, quantile, ratio, series, sum, sumIncrease, sumRate } from './promql';

/*
 * Panels of the business metrics each service declares in apps/<service>/src/metrics.ts (listed in
 * docs/api/<service>.md). Each takes a `scope`: the label matchers that narrow it (a service dashboard
 * passes its service), empty for the platform-wide view. Gauges that every instance of a service
 * computes from the same PostgreSQL or Redis data are aggregated with max, not sum.
 */

export type BusinessPanel = (scope: string) => PanelSpec;

const latencyQuantiles = (histogram: string, scope: string, labels: string[] = []) => {
  const suffix = labels.map((label) => ` {{${label}}}`).join('');
  return [0.5, 0.95, 0.99].map((q) => query(quantile(q, histogram, scope, labels), `p${Math.round(q * 100)}${suffix}`));
};

export const revenue = {
  inRange: (scope: string) =>
    stat('Revenue in the time range', [query(sumIncrease('payment_revenue_total', scope, ['currency']), '{{currency}}')], {
      description: 'Sum of succeeded payment amounts over the selected range, per currency (payment_revenue_total).',
      decimals: 2,
      w: 6,
    }),
  perHour: (scope: string) =>
    timeseries('Revenue per hour', [query(perHour(sumRate('payment_revenue_total', scope, ['currency', 'method'])), '{{currency}} {{method}}')], {
      description: 'Revenue rate of succeeded payments, per currency and payment method.',
      decimals: 2,
      stack: true,
    }),
  vsDayEarlier: (scope: string) => {
    const now = perHour(sumRate('payment_revenue_total', scope));
    return timeseries('Revenue per hour against a day earlier', [query(now, 'now'), query(dayEarlier(now), 'a day earlier')], {
      description: 'All currencies at face value, as the RevenueDrop alert compares them (it fires below half of a day earlier).',
      decimals: 2,
    });
  },
};

export const payments = {
  successRatio: (scope: string) =>
    timeseries(
      'Payment success rate',
      [query(ratio(sumRate('payments_total', matchers(scope, 'status="succeeded"')), sumRate('payments_total', scope)), 'succeeded')],
      { description: 'Share of charged payments that succeeded (the rest failed or were declined).', unit: 'percentunit', max: 1, thresholds: steps('red', [0.9, 'orange'], [0.95, 'green']), thresholdLines: true },
    ),
  byOutcome: (scope: string) =>
    timeseries('Payments per minute by outcome and provider', [query(perMinute(sumRate('payments_total', scope, ['status', 'provider'])), '{{status}} ({{provider}})')], {
      stack: true,
    }),
  processingLatency: (scope: string) =>
    timeseries('Payment processing time', latencyQuantiles('payment_processing_duration_seconds', scope), {
      description: 'Provider calls, failover and the recording transaction, per charged payment.',
      unit: 's',
    }),
  failovers: (scope: string) =>
    timeseries('Provider failovers per minute', [query(perMinute(sumRate('payment_provider_failovers_total', scope, ['from', 'to'])), '{{from}} → {{to}}')], {
      description: 'Charges the primary provider failed and the backup took (PaymentProviderFailover warns on any).',
    }),
};

export const trading = {
  volumeInRange: (scope: string) =>
    stat('Trading volume in the time range', [query(sumIncrease('trade_volume_total', scope), 'USD')], {
      description: 'Notional value of executed trades over the selected range (trade_volume_total).',
      unit: 'currencyUSD',
      w: 6,
    }),
  volumePerMinute: (scope: string) =>
    timeseries('Trading volume per minute by symbol', [query(perMinute(sumRate('trade_volume_total', scope, ['symbol'])), '{{symbol}}')], {
      unit: 'currencyUSD',
      stack: true,
    }),
  tradesPerMinute: (scope: string) =>
    timeseries('Trades executed per minute', [query(perMinute(sumRate('trades_executed_total', scope, ['side'])), '{{side}}')], { stack: true }),
  ordersByStatus: (scope: string) =>
    timeseries('Order decisions per minute', [query(perMinute(sumRate('orders_total', scope, ['type', 'status'])), '{{type}} {{status}}')], {
      description: 'A resting limit order counts as open when placed and again when it fills or is cancelled.',
      stack: true,
    }),
  executionRate: (scope: string) =>
    timeseries(
      'Execution rate',
      [query(ratio(sumRate('orders_total', matchers(scope, 'status="filled"')), sumRate('orders_total', matchers(scope, 'status=~"filled|rejected"'))), 'filled')],
      {
        description: 'Fills among orders that were either filled or rejected (by risk). TradingDegraded fires when rejections pass 20%.',
        unit: 'percentunit',
        max: 1,
        thresholds: steps('red', [0.8, 'green']),
        thresholdLines: true,
      },
    ),
  executionLatency: (scope: string) =>
    timeseries('Execution latency (immediate fills)', latencyQuantiles('trade_execution_duration_seconds', scope), {
      description: 'Request arrival to fill committed. TradingDegraded fires on a p95 above 100 ms.',
      unit: 's',
      ...alertLine(0.1),
    }),
};

export const portfolio = {
  pnl: (scope: string) =>
    timeseries('Platform P&L', [query(max(series('portfolio_pnl', scope), ['kind']), '{{kind}}')], {
      description: 'Profit and loss of every position on the platform, realised and unrealised (marked to market), in USD.',
      unit: 'currencyUSD',
    }),
  positionsOpen: (scope: string) =>
    stat('Open positions', [query(max(series('portfolio_positions_open', scope)))], { description: 'Positions (user and symbol) with a quantity other than zero.', w: 6 }),
  tradesApplied: (scope: string) =>
    timeseries('Trades applied to positions per minute', [query(perMinute(sumRate('portfolio_trades_applied_total', scope)), 'applied')]),
};

export const risk = {
  checks: (scope: string) =>
    timeseries('Pre-trade checks per minute', [query(perMinute(sumRate('risk_checks_total', scope, ['outcome', 'reason'])), '{{outcome}} {{reason}}')], { stack: true }),
  checkLatency: (scope: string) => timeseries('Check decision time', latencyQuantiles('risk_check_duration_seconds', scope), { unit: 's' }),
};

export const users = {
  registrations: (scope: string) =>
    timeseries('Registrations per hour', [query(perHour(sumRate('user_registrations_total', scope)), 'registrations')]),
  registrationsInRange: (scope: string) =>
    stat('Registrations in the time range', [query(sumIncrease('user_registrations_total', scope))], { w: 6 }),
  active: (scope: string) =>
    stat('Active users', [query(max(series('active_users', scope), ['window']), '{{window}}')], {
      description: 'Distinct users who logged in or refreshed a token within the window. LowUserActivity compares the last hour with a day earlier.',
      w: 6,
    }),
  activeOverTime: (scope: string) =>
    timeseries('Active users over time', [query(max(series('active_users', scope), ['window']), '{{window}}')]),
  logins: (scope: string) =>
    timeseries('Logins per minute by result', [query(perMinute(sumRate('user_logins_total', scope, ['result'])), '{{result}}')], { stack: true }),
  sessionDuration: (scope: string) =>
    timeseries(
      'Session length (ended by logout)',
      [0.5, 0.9].map((q) => query(quantile(q, 'user_session_duration_seconds', scope), `p${q * 100}`)),
      { unit: 's' },
    ),
  featureUsage: (scope: string) =>
    bars('Feature usage in the time range', [query(`sort_desc(${sumIncrease('feature_usage_total', scope, ['feature'])})`, '{{feature}}')], {
      description: 'Requests the gateway let through, by product feature (docs/api.md names them).',
      w: 12,
    }),
  securityEvents: (scope: string) =>
    timeseries('Security events per second', [query(sumRate('security_events_total', scope, ['service', 'type']), '{{service}} {{type}}')], {
      description: 'auth_failure, account_locked, login_while_locked, invalid_token, missing_token, forbidden, rate_limited. The security alerts fire above 1/s (3 lockouts in 15 minutes).',
      ...alertLine(1),
    }),
  offenders: (scope: string) =>
    table('Client addresses behind security events (last 5 minutes)', [{ title: 'events', query: query(`sort_desc(${sum(series('security_offender_events', scope), ['type', 'ip_address'])})`) }], [], {
      description: 'The 5 addresses with most failed logins, rate-limit refusals and refused tokens per type, as api-gateway counts them (security_offender_events). LoginBruteForce pages at 20 failed logins from one address.',
      w: 12,
    }),
};

export const signals = {
  accuracy: (scope: string) =>
    timeseries('Signal accuracy', [query(max(series('signal_accuracy_ratio', scope), ['window']), '{{window}}')], {
      description: 'Share of signals evaluated in the window that were right. SignalAccuracyDegraded fires below 45% over 1h.',
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: steps('red', [0.45, 'orange'], [0.55, 'green']),
      thresholdLines: true,
    }),
  evaluations: (scope: string) =>
    timeseries('Signals evaluated per hour', [query(perHour(sumRate('signals_evaluated_total', scope, ['outcome'])), '{{outcome}}')], { stack: true }),
  generated: (scope: string) =>
    timeseries('Signals generated per hour', [query(perHour(sumRate('signals_generated_total', scope, ['direction'])), '{{direction}}')], { stack: true }),
  confidence: (scope: string) =>
    timeseries(
      'Signal confidence',
      [0.5, 0.9].map((q) => query(quantile(q, 'signal_confidence', scope), `p${q * 100}`)),
      { min: 0.5, max: 1, decimals: 2 },
    ),
};

export const marketData = {
  tickAge: (scope: string) =>
    timeseries('Age of the latest tick by symbol', [query(max(age('market_data_last_tick_timestamp_seconds', scope), ['symbol']), '{{symbol}}')], {
      description: 'Ticks come every second; MarketDataStale fires past 30 s.',
      unit: 's',
      ...alertLine(30),
    }),
  ticks: (scope: string) =>
    timeseries('Ticks per second by outcome', [query(sumRate('market_data_ticks_total', scope, ['outcome']), '{{outcome}}')], { stack: true }),
  feedLatency: (scope: string) =>
    timeseries('Feed latency (tick to publish confirmed)', latencyQuantiles('market_data_feed_latency_seconds', scope), { unit: 's' }),
  quotes: (scope: string) =>
    timeseries('Quote look-ups per second by outcome', [query(sumRate('market_data_quote_requests_total', scope, ['outcome']), '{{outcome}}')], { stack: true }),
  prices: (scope: string) =>
    timeseries('Prices', [query(max(series('market_data_price', scope), ['symbol']), '{{symbol}}')], { decimals: 2 }),
};

export const notifications = {
  sent: (scope: string) =>
    timeseries('Notifications per minute by channel and status', [query(perMinute(sumRate('notifications_sent_total', scope, ['channel', 'status'])), '{{channel}} {{status}}')], {
      stack: true,
    }),
  deliveryLatency: (scope: string) =>
    timeseries('Delivery attempt time by channel', [query(quantile(0.95, 'notification_delivery_duration_seconds', scope, ['channel']), 'p95 {{channel}}')], { unit: 's' }),
  pending: (scope: string) =>
    stat('Notifications pending', [query(max(series('notifications_pending', scope)))], { description: 'Queued and not yet sent, failed or skipped (retries included).', w: 6 }),
};

export const audit = {
  events: (scope: string) =>
    timeseries('Events recorded per minute by type', [query(perMinute(sumRate('audit_events_recorded_total', scope, ['event_type'])), '{{event_type}}')], { stack: true }),
  verifications: (scope: string) =>
    stat('Chain verifications in the time range', [query(sumIncrease('audit_chain_verifications_total', scope, ['result']), '{{result}}')], {
      description: 'An invalid result means the hash chain was altered.',
      w: 6,
    }),
  chainLength: (scope: string) => stat('Events in the chain', [query(max(series('audit_chain_length', scope)))], { w: 6 }),
  sinceLastEvent: (scope: string) =>
    stat('Time since the latest event', [query(min(age('audit_last_event_timestamp_seconds', scope)))], { unit: 's', w: 6 }),
};

export const gateway = {
  features: (scope: string) =>
    timeseries('Requests per second by feature', [query(sumRate('feature_usage_total', scope, ['feature']), '{{feature}}')], { stack: true }),
  upstreamFailures: (scope: string) =>
    timeseries('Upstream failures per second', [query(sumRate('gateway_upstream_failures_total', scope, ['upstream', 'reason']), '{{upstream}} {{reason}}')], {
      description: 'Requests the gateway could not forward (timeout: 504, unavailable: 502).',
    }),
};

/** business-analytics: revenue, trading, users and signal quality for the business team. */
export function businessAnalyticsDashboard(): Dashboard {
  const platform = '';
  const panels = (...factories: BusinessPanel[]) => factories.map((factory) => factory(platform));
  return dashboard({
    uid: 'business-analytics',
    title: 'Business analytics',
    description: 'Revenue, trading performance, user engagement and signal quality, from the services’ business metrics.',
    tags: ['business'],
    time: 'now-24h',
    sections: [
      { title: 'Revenue', panels: panels(revenue.inRange, trading.volumeInRange, users.registrationsInRange, portfolio.positionsOpen, revenue.perHour, revenue.vsDayEarlier, payments.successRatio, payments.byOutcome) },
      { title: 'Trading', panels: panels(trading.volumePerMinute, trading.tradesPerMinute, trading.executionRate, trading.executionLatency, portfolio.pnl, trading.ordersByStatus) },
      { title: 'Users', panels: panels(users.active, users.registrations, users.activeOverTime, users.logins, users.sessionDuration, users.featureUsage) },
      { title: 'Signal quality', panels: panels(signals.accuracy, signals.evaluations, signals.generated, signals.confidence) },
    ],
  });
}

