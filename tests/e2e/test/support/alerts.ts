import { getJson, PrometheusApi } from '@ai-finance/stack-tools/dist/http';

/** Reading alerts where they live: Prometheus (`ALERTS`) and Alertmanager (`/api/v2/alerts`). */

export interface FiringAlert {
  alertname: string;
  labels: Record<string, string>;
}

/** `HighErrorRate{payment}`, `ErrorBudgetFastBurn{payment,availability}`: an alert as the reports name it. */
export function alertKey(labels: Record<string, string>): string {
  const details = [labels.service, labels.slo ?? labels.reason].filter(Boolean);
  return details.length > 0 ? `${labels.alertname}{${details.join(',')}}` : labels.alertname;
}

/** The alerts Prometheus has firing now (pending ones are not). */
export async function firingInPrometheus(prometheusUrl: string): Promise<FiringAlert[]> {
  return (await new PrometheusApi(prometheusUrl).query('ALERTS{alertstate="firing"}')).map(({ metric }) => {
    const labels = Object.fromEntries(Object.entries(metric).filter(([name]) => name !== '__name__' && name !== 'alertstate'));
    return { alertname: labels.alertname, labels };
  });
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
  fingerprint: string;
}

export function alertmanagerAlerts(alertmanagerUrl: string): Promise<AlertmanagerAlert[]> {
  return getJson<AlertmanagerAlert[]>(`${alertmanagerUrl}/api/v2/alerts`, { timeoutMs: 10_000 });
}

/** The value of a query that gives one number (0 when it gives nothing). */
export async function instantValue(prometheusUrl: string, expr: string): Promise<number> {
  return Number((await new PrometheusApi(prometheusUrl).query(expr))[0]?.value[1] ?? 0);
}
