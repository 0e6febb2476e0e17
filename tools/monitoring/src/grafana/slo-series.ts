import { BURN_RATE_ALERTS, type SloName } from '../slo-rules';
import { steps } from './panels';
import { series } from './promql';

/*
 * The series that rules/slo.yml records (see ../slo-rules.ts), by name. The dashboards read these rather
 * than recomputing SLIs, so a panel shows exactly what the burn-rate and breach alerts evaluate; a test
 * checks that every `slo:` series a dashboard names is recorded by the generated rules.
 */

export const SLO_NAMES: readonly SloName[] = ['availability', 'latency'];

/** The long windows of the page (1h) and the warning (6h). */
export const ALERT_WINDOWS = BURN_RATE_ALERTS.map((alert) => alert.longWindow);

/** Burn-rate colours: orange from the warning's rate (6), red from the page's (14.4). */
export const BURN_RATE_STEPS = steps(
  'green',
  ...[...BURN_RATE_ALERTS]
    .sort((a, b) => Number(a.burnRate) - Number(b.burnRate))
    .map(({ burnRate, severity }) => [Number(burnRate), severity === 'critical' ? 'red' : 'orange'] as [number, 'red' | 'orange']),
);

/** Error budget colours: red once spent, orange in its last quarter. */
export const BUDGET_STEPS = steps('red', [0, 'orange'], [0.25, 'green']);

export const objective = (selector: string): string => series('slo:objective:ratio', selector);

/** Good events over the SLO window (30 days): 1 minus the recorded error ratio. */
export const sli30d = (selector: string): string => `1 - ${series('slo:sli_error:ratio_rate30d', selector)}`;

/** Share of the readiness probes that succeeded over 30 days: availability seen from outside. */
export const probeSuccess30d = (service: string): string => series('slo:probe_success:ratio_rate30d', `service="${service}"`);

export const budgetRemaining = (selector: string): string => series('slo:error_budget:remaining_ratio', selector);

/** How many times faster than sustainable the budget burns over `window` (1 = exactly spent in 30 days). */
export const burnRate = (window: string, selector: string): string =>
  `${series(`slo:sli_error:ratio_rate${window}`, selector)} / on (service, slo) ${series('slo:error_budget:ratio', selector)}`;

export const sloSelector = (service: string, slo?: SloName): string => (slo ? `service="${service}",slo="${slo}"` : `service="${service}"`);
