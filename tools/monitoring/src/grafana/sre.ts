import { revenue, trading, users } from './business';
import { dashboard, link } from './dashboard';
import type { Dashboard } from './model';
import { bars, query, stat, statusHistory, steps, table, timeseries, upDown } from './panels';
import { count, max, min, quantile, series, sumRate } from './promql';
import { REQUESTS } from './service';
import { sloComplianceTable } from './slo';
import { ALERT_WINDOWS, BUDGET_STEPS, BURN_RATE_STEPS, budgetRemaining, burnRate, SLO_NAMES } from './slo-series';

/** Firing alerts, without the Watchdog that always fires (it proves the pipeline, not a problem). */
const FIRING = 'alertstate="firing",alertname!="Watchdog"';

/** sre-overview (sre-dashboard.json): the seed's SRE dashboard, for whoever is on call. */
export function sreDashboard(): Dashboard {
  const [fastWindow] = ALERT_WINDOWS;
  return dashboard({
    uid: 'sre-overview',
    title: 'SRE overview',
    description: 'SLO compliance, error budgets and burn rates, a health matrix of every service, firing alerts and the business at a glance.',
    tags: ['sre', 'slo'],
    time: 'now-24h',
    links: [link({ title: 'SLO overview', url: '/d/slo-overview', icon: 'dashboard', keepTime: true })],
    sections: [
      {
        title: 'SLO compliance',
        panels: [
          sloComplianceTable(''),
          ...SLO_NAMES.map((slo) =>
            bars(`Error budget remaining: ${slo}`, [query(budgetRemaining(`slo="${slo}"`), '{{service}}')], {
              unit: 'percentunit',
              decimals: 1,
              min: 0,
              max: 1,
              thresholds: BUDGET_STEPS,
              w: 6,
              h: 10,
            }),
          ),
          timeseries(`Burn rate over ${fastWindow}`, [query(burnRate(fastWindow, ''), '{{service}} {{slo}}')], {
            description: 'Error budget burn per service and SLO; the fast-burn alert pages at 14.4 (with the 5-minute window agreeing), the slow-burn alert warns at 6 over 6h.',
            thresholds: BURN_RATE_STEPS,
            thresholdLines: true,
            min: 0,
            h: 10,
          }),
        ],
      },
      {
        title: 'Service health',
        panels: [
          statusHistory('Scraped by Prometheus', [query(min(series('up', 'job="services"'), ['service']), '{{service}}')], { mappings: upDown(), h: 9 }),
          statusHistory('Ready (blackbox probe of /health/ready)', [query(min(series('probe_success', 'job="blackbox"'), ['service']), '{{service}}')], {
            mappings: upDown('READY', 'NOT READY'),
            h: 9,
          }),
          statusHistory('Availability burn rate (5 minutes)', [query(burnRate('5m', 'slo="availability"'), '{{service}}')], {
            description: '5xx ratio divided by the error budget: green below 1 (sustainable), orange from 6, red from 14.4. No cell: no traffic.',
            thresholds: [...steps('green', [1, 'yellow']), ...BURN_RATE_STEPS.slice(1)],
            decimals: 1,
            h: 9,
          }),
          timeseries('Requests per second by service', [query(sumRate(`${REQUESTS}_count`, '', ['service']), '{{service}}')], { unit: 'reqps', stack: true }),
          timeseries('Latency p95 by service', [query(quantile(0.95, REQUESTS, '', ['service']), '{{service}}')], { unit: 's' }),
        ],
      },
      {
        title: 'Alerts',
        panels: [
          stat('Firing alerts by severity', [query(count(series('ALERTS', FIRING), ['severity']), '{{severity}}')], {
            description: 'Alerts firing in Prometheus now, by severity (Watchdog left out).',
            thresholds: steps('orange', [1, 'red']),
            w: 6,
            h: 8,
          }),
          table('Firing alerts', [{ title: 'firing', query: query(max(series('ALERTS', FIRING), ['alertname', 'severity', 'category', 'service'])) }], ['Value'], { w: 12, h: 8 }),
          stat('Faults injected', [query(`${max(series('fault_injection_active', ''), ['service', 'fault'])} == 1`, '{{service}}: {{fault}}')], {
            description: 'Faults switched on by `./start-monitoring.sh fault` (docs/alerting.md): an alert they raise is a rehearsal, not an incident. Empty when none is on.',
            thresholds: steps('orange'),
            w: 6,
            h: 8,
          }),
          timeseries('Firing alerts over time', [query(count(series('ALERTS', FIRING), ['severity']), '{{severity}}')], { stack: true, w: 24 }),
        ],
      },
      {
        title: 'Business',
        panels: [revenue.perHour(''), trading.volumePerMinute(''), users.activeOverTime('')].map((panel) => ({ ...panel, size: { w: 8, h: 8 } })),
      },
    ],
  });
}
