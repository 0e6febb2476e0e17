import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one scenario of the end-to-end alert test showed. */
export interface ScenarioResult {
  scenario: string;
  fault: string;
  /** Alerts that went to firing in Prometheus while the scenario ran (Watchdog and earlier ones left out). */
  alertsFired: string[];
  /** From the fault command's return to the first notification about an expected alert. */
  firstNotificationSeconds?: number;
  /** The same for each expected alert: `{ HighErrorRate: 41 }`. */
  firstNotificationByAlert: Record<string, number>;
  /** Every channel that received a notification about an expected alert. */
  channels: string[];
  /** From `fault clear` to the first resolved notification, where the scenario waits for one. */
  resolvedSeconds?: number;
  notes: string[];
}

const seconds = (value: number | undefined): string => (value === undefined ? '-' : `${value.toFixed(0)} s`);

const perAlert = (result: ScenarioResult): string =>
  Object.entries(result.firstNotificationByAlert)
    .sort(([, a], [, b]) => a - b)
    .map(([alertname, value]) => `${alertname} ${seconds(value)}`)
    .join(', ');

/** The scenario table as Markdown: what docs/alerting.md shows. */
export function markdownTable(results: ScenarioResult[]): string {
  const rows = results.map((result) =>
    [result.scenario, `\`${result.fault}\``, result.alertsFired.join(', ') || '-', perAlert(result) || '-', result.channels.join(', ') || '-', seconds(result.resolvedSeconds)].join(' | '),
  );
  return ['| scenario | fault | alerts fired | fault → first notification | channels reached | clear → resolved |', '|---|---|---|---|---|---|', ...rows.map((row) => `| ${row} |`)].join('\n');
}

/** The table for the test's output: one block per scenario, readable in a CI log. */
export function textReport(results: ScenarioResult[], timeScale: number): string {
  const lines = [`End-to-end alert test (SLO rules and Alertmanager timers at time scale 1/${timeScale}; hand-written rules in real time)`];
  for (const result of results) {
    lines.push(
      '',
      `${result.scenario}  [${result.fault}]`,
      `  alerts fired:          ${result.alertsFired.join(', ') || 'none besides Watchdog'}`,
      `  first notification:    ${seconds(result.firstNotificationSeconds)} after the fault${perAlert(result) ? ` (${perAlert(result)})` : ''}`,
      `  channels reached:      ${result.channels.join(', ') || '-'}`,
      ...(result.resolvedSeconds !== undefined ? [`  resolved notification: ${seconds(result.resolvedSeconds)} after clear`] : []),
      ...result.notes.map((note) => `  ${note}`),
    );
  }
  return lines.join('\n');
}

/** reports/e2e/alerting.{json,md}, for CI artefacts and for updating docs/alerting.md. */
export function writeReports(root: string, results: ScenarioResult[], timeScale: number): string {
  const dir = join(root, 'reports', 'e2e');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'alerting.json'), `${JSON.stringify({ timeScale, results }, null, 2)}\n`);
  writeFileSync(join(dir, 'alerting.md'), `${markdownTable(results)}\n`);
  return dir;
}
