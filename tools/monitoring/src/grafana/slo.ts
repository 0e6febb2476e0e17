import Decimal from 'decimal.js';
import { RATIO_WINDOWS, type SloName } from '../slo-rules';
import type { ServiceSlo, SloSpec } from '../slo-spec';
import { customVariable, dashboard } from './dashboard';
import type { Dashboard, ThresholdStep } from './model';
import { query, stat, steps, table, timeseries, type PanelSpec } from './panels';
import { sum } from './promql';
import { ALERT_WINDOWS, BUDGET_STEPS, BURN_RATE_STEPS, budgetRemaining, burnRate, objective, probeSuccess30d, sli30d, SLO_NAMES, sloSelector } from './slo-series';

/** What an SLO promises, from the spec: the objective as a ratio and in words. */
export interface SloTarget {
  ratio: number;
  describe: string;
}

export function sloTargets(entry: ServiceSlo): Record<SloName, SloTarget> {
  const ratio = (percent: number) => new Decimal(percent).dividedBy(100).toNumber();
  return {
    availability: { ratio: ratio(entry.availability.objective), describe: `${entry.availability.objective}% of requests answered without a 5xx` },
    latency: {
      ratio: ratio(entry.latency.objective),
      describe: `${entry.latency.objective}% of requests answered within ${entry.latency.thresholdSeconds * 1000} ms`,
    },
  };
}

/**
 * One line per SLO of `service`: objective, SLI over 30 days, budget left and burn rates over the
 * Workbook windows. `service` may be a dashboard variable ("$service"); `targets` (from the spec) colour
 * the SLI against its objective where the service is known when the dashboard is generated.
 */
export function sloPanels(service: string, targets?: Record<SloName, SloTarget>): PanelSpec[] {
  return SLO_NAMES.flatMap((slo) => {
    const selector = sloSelector(service, slo);
    const target = targets?.[slo];
    return [
      stat(`${slo}: objective`, [query(objective(selector))], { unit: 'percentunit', decimals: 2, w: 4, h: 8, description: target?.describe }),
      stat(`${slo}: SLI over 30 days`, [query(sli30d(selector))], {
        description: 'Good requests over the last 30 days, from slo:sli_error:ratio_rate30d.',
        unit: 'percentunit',
        decimals: 3,
        thresholds: target ? steps('red', [target.ratio, 'green']) : undefined,
        w: 4,
        h: 8,
      }),
      stat(`${slo}: error budget remaining`, [query(budgetRemaining(selector))], {
        description: 'Share of the 30-day error budget not yet spent; below 0 the SLO is breached.',
        unit: 'percentunit',
        decimals: 1,
        thresholds: BUDGET_STEPS,
        w: 4,
        h: 8,
      }),
      timeseries(`${slo}: burn rate`, RATIO_WINDOWS.map((window) => query(burnRate(window, selector), window)), {
        description: 'Error ratio over each window divided by the error budget: 1 spends the budget in exactly 30 days. The fast-burn alert pages at 14.4 (1h and 5m), the slow-burn alert warns at 6 (6h and 30m).',
        thresholds: BURN_RATE_STEPS,
        thresholdLines: true,
        min: 0,
      }),
      ...(slo === 'availability'
        ? [
            stat('availability: readiness probes over 30 days', [query(probeSuccess30d(service))], {
              description: 'Share of the blackbox probes of /health/ready that succeeded: availability seen from outside, which also counts the time the service was down and answered nothing.',
              unit: 'percentunit',
              decimals: 3,
              thresholds: target ? steps('red', [target.ratio, 'green']) : undefined,
              w: 4,
              h: 8,
            }),
          ]
        : []),
    ];
  });
}

/** The 30-day status of every SLO in one table: one row per service and SLO. */
export function sloComplianceTable(selector: string): PanelSpec {
  // One label set per row: every column is summed by (service, slo), which also drops metric names.
  const column = (title: string, expr: string, unit?: string, thresholds?: ThresholdStep[]) => ({ title, query: query(sum(expr, ['service', 'slo'])), unit, thresholds });
  return table(
    'SLO compliance (30 days)',
    [
      column('SLI over 30 days', sli30d(selector), 'percentunit'),
      column('objective', objective(selector), 'percentunit'),
      column('error budget remaining', budgetRemaining(selector), 'percentunit', BUDGET_STEPS),
      ...ALERT_WINDOWS.map((window) => column(`burn rate ${window}`, burnRate(window, selector), 'none', BURN_RATE_STEPS)),
    ],
    [],
    { description: 'Each SLO against its objective (monitoring/slo/slos.yml), from the recording rules of rules/slo.yml.', h: 10 },
  );
}

/** slo-overview: every SLO of the spec; the burn-rate and breach alerts link here with var-service. */
export function sloOverviewDashboard(spec: SloSpec): Dashboard {
  const services = spec.services.map((entry) => entry.service);
  return dashboard({
    uid: 'slo-overview',
    title: 'SLO overview',
    description: `Objectives, 30-day SLIs, error budgets and burn rates of the ${services.length} services, generated from monitoring/slo/slos.yml.`,
    tags: ['slo'],
    time: 'now-24h',
    variables: [customVariable('service', 'Service', services)],
    sections: [
      { title: 'All selected services', panels: [sloComplianceTable('service=~"$service"')] },
      { title: '$service', repeat: 'service', panels: sloPanels('$service') },
    ],
  });
}
