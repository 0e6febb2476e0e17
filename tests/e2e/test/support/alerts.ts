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

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as T;
}

/** The alerts Prometheus has firing now (pending ones are not). */
export async function firingInPrometheus(prometheusUrl: string): Promise<FiringAlert[]> {
  const body = await json<{ data: { result: Array<{ metric: Record<string, string> }> } }>(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('ALERTS{alertstate="firing"}')}`,
  );
  return body.data.result.map(({ metric }) => {
    const labels = Object.fromEntries(Object.entries(metric).filter(([name]) => name !== '__name__' && name !== 'alertstate'));
    return { alertname: labels.alertname, labels };
  });
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
  fingerprint: string;
}

export async function alertmanagerAlerts(alertmanagerUrl: string): Promise<AlertmanagerAlert[]> {
  return json<AlertmanagerAlert[]>(`${alertmanagerUrl}/api/v2/alerts`);
}

/** The value of a query that gives one number (0 when it gives nothing). */
export async function instantValue(prometheusUrl: string, expr: string): Promise<number> {
  const body = await json<{ data: { result: Array<{ value: [number, string] }> } }>(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return Number(body.data.result[0]?.value[1] ?? 0);
}
