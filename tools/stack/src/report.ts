import { getJson, PrometheusApi } from './http';
import { table } from './table';

/*
 * The seed's morning report, from Prometheus's and Alertmanager's APIs: each service's SLO compliance
 * over the 30-day window and its error budget left (the recording rules generated from
 * monitoring/slo/slos.yml), the current burn rates, the alerts firing, and the last hour's business
 * figures (the metrics of apps/<service>/src/metrics.ts, summed as monitoring/prometheus/rules/business.yml does).
 */

type Vector = Array<{ metric: Record<string, string>; value: [number, string] }>;

type Slo = 'availability' | 'latency';

interface SloFigures {
  objective?: number;
  compliance30d?: number;
  budgetLeft?: number;
  burn1h?: number;
  burn6h?: number;
}

const percent = (ratio: number, digits = 2): string => `${(ratio * 100).toFixed(digits)}%`;
/** 99.9% as `99.9%`, 95 as `95%`: as many digits as the objective has. */
const objectiveText = (ratio: number | undefined): string => (ratio === undefined ? '?' : `${Number((ratio * 100).toFixed(3))}%`);
const money = (amount: number): string => amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function byServiceAndSlo(vector: Vector): Map<string, number> {
  return new Map(vector.map((sample) => [`${sample.metric.service}/${sample.metric.slo}`, Number(sample.value[1])]));
}

const single = (vector: Vector): number | undefined => (vector.length > 0 ? Number(vector[0].value[1]) : undefined);

interface AlertmanagerAlert {
  labels: Record<string, string>;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

/** Writes the report; resolves false when Prometheus or Alertmanager could not be asked. */
export async function report(options: { prometheusUrl: string; alertmanagerUrl: string; services: string[]; out: (line: string) => void }): Promise<boolean> {
  const { out } = options;
  const prometheus = new PrometheusApi(options.prometheusUrl);
  let complete = true;

  out(`Report of ${new Date().toISOString()} from Prometheus ${options.prometheusUrl} and Alertmanager ${options.alertmanagerUrl}`);
  let slo: Record<string, Map<string, number>>;
  try {
    const [objective, compliance, budget, ratio1h, ratio6h, budgetRatio] = await Promise.all(
      [
        'slo:objective:ratio',
        '1 - slo:sli_error:ratio_rate30d',
        'slo:error_budget:remaining_ratio',
        'slo:sli_error:ratio_rate1h',
        'slo:sli_error:ratio_rate6h',
        'slo:error_budget:ratio',
      ].map((expr) => prometheus.query(expr)),
    );
    const budgets = byServiceAndSlo(budgetRatio);
    const burn = (vector: Vector) =>
      new Map([...byServiceAndSlo(vector)].flatMap(([key, ratio]) => (budgets.get(key) ? [[key, ratio / (budgets.get(key) as number)] as [string, number]] : [])));
    slo = { objective: byServiceAndSlo(objective), compliance: byServiceAndSlo(compliance), budget: byServiceAndSlo(budget), burn1h: burn(ratio1h), burn6h: burn(ratio6h) };
  } catch (error) {
    out(`\nPrometheus could not be asked: ${(error as Error).message}`);
    return false;
  }

  const figures = (service: string, which: Slo): SloFigures => {
    const key = `${service}/${which}`;
    return {
      objective: slo.objective.get(key),
      compliance30d: slo.compliance.get(key),
      budgetLeft: slo.budget.get(key),
      burn1h: slo.burn1h.get(key),
      burn6h: slo.burn6h.get(key),
    };
  };
  const worstBurn = (a: SloFigures, l: SloFigures, pick: 'burn1h' | 'burn6h'): string => {
    const candidates = ([['availability', a[pick]], ['latency', l[pick]]] as Array<[string, number | undefined]>).filter((entry): entry is [string, number] => entry[1] !== undefined);
    if (candidates.length === 0) return '-';
    const [name, value] = candidates.reduce((worst, entry) => (entry[1] > worst[1] ? entry : worst));
    return value > 0 ? `${value.toFixed(2)}x ${name}` : '0x';
  };
  const sloCell = (f: SloFigures): [string, string] =>
    f.compliance30d === undefined ? ['-', '-'] : [`${percent(f.compliance30d, 3)} / ${objectiveText(f.objective)}`, f.budgetLeft === undefined ? '-' : percent(f.budgetLeft, 1)];

  out('\nSLO compliance over 30 days, error budget left, and burn rate (1 = spending the budget exactly over 30 days)');
  const rows: string[][] = [['service', 'availability / objective', 'budget left', 'latency / objective', 'budget left', 'burn 1h (worst)', 'burn 6h (worst)']];
  for (const service of options.services) {
    const availability = figures(service, 'availability');
    const latency = figures(service, 'latency');
    if (availability.compliance30d === undefined && latency.compliance30d === undefined) {
      rows.push([service, 'no traffic yet']);
      continue;
    }
    rows.push([service, ...sloCell(availability), ...sloCell(latency), worstBurn(availability, latency, 'burn1h'), worstBurn(availability, latency, 'burn6h')]);
  }
  table(rows).forEach((line) => out(`  ${line}`));

  out('\nFiring alerts');
  try {
    const firing = (await prometheus.get<{ alerts: Array<{ labels: Record<string, string>; state: string; activeAt: string }> }>('/api/v1/alerts')).alerts.filter(
      (alert) => alert.state === 'firing',
    );
    let inAlertmanager: AlertmanagerAlert[] | undefined;
    try {
      inAlertmanager = await getJson<AlertmanagerAlert[]>(`${options.alertmanagerUrl}/api/v2/alerts`);
    } catch (error) {
      complete = false;
      out(`  (Alertmanager could not be asked: ${(error as Error).message})`);
    }
    const sameLabels = (a: Record<string, string>, b: Record<string, string>) => Object.entries(a).every(([name, value]) => b[name] === value);
    if (firing.length === 0) out('  none');
    for (const alert of firing.sort((a, b) => (a.labels.severity ?? '').localeCompare(b.labels.severity ?? '') || a.labels.alertname.localeCompare(b.labels.alertname))) {
      const routed = inAlertmanager?.find((candidate) => sameLabels(alert.labels, candidate.labels));
      const state = !inAlertmanager ? '' : !routed ? ', not in Alertmanager yet' : routed.status.silencedBy.length > 0 ? ', silenced' : routed.status.inhibitedBy.length > 0 ? ', inhibited' : '';
      const where = alert.labels.service ? ` service=${alert.labels.service}` : '';
      out(`  ${alert.labels.alertname}${where} severity=${alert.labels.severity ?? 'none'} since ${alert.activeAt.slice(0, 19)}Z${state}`);
    }
  } catch (error) {
    complete = false;
    out(`  (Prometheus could not list alerts: ${(error as Error).message})`);
  }

  out('\nBusiness, last hour');
  try {
    const [revenue, volume, trades, succeeded, payments, activeUsers, accuracy, evaluated] = await Promise.all(
      [
        'sum by (currency) (increase(payment_revenue_total[1h]))',
        'sum(increase(trade_volume_total[1h]))',
        'sum(increase(trades_executed_total[1h]))',
        'sum(increase(payments_total{status="succeeded"}[1h]))',
        'sum(increase(payments_total[1h]))',
        'max(active_users{window="1h"})',
        'max(signal_accuracy_ratio{window="1h"})',
        'sum(increase(signals_evaluated_total[1h]))',
      ].map((expr) => prometheus.query(expr)),
    );
    const revenueText = revenue.filter((sample) => Number(sample.value[1]) > 0).map((sample) => `${money(Number(sample.value[1]))} ${sample.metric.currency}`);
    const paymentCount = single(payments) ?? 0;
    const tradeCount = single(trades) ?? 0;
    const evaluatedCount = single(evaluated) ?? 0;
    const lines: Array<[string, string]> = [
      ['revenue', revenueText.length > 0 ? revenueText.join(', ') : 'none'],
      ['trading volume', tradeCount > 0 ? `${money(single(volume) ?? 0)} USD in ${Math.round(tradeCount)} trades` : 'no trade'],
      ['payment success rate', paymentCount > 0 ? `${percent((single(succeeded) ?? 0) / paymentCount, 1)} of ${Math.round(paymentCount)} payments` : 'no payment'],
      ['active users', single(activeUsers) === undefined ? 'not reported yet' : String(single(activeUsers))],
      ['signal accuracy', single(accuracy) === undefined ? 'no signal evaluated' : `${percent(single(accuracy) as number, 1)} of ${Math.round(evaluatedCount)} evaluated signals`],
    ];
    table(lines).forEach((line) => out(`  ${line}`));
  } catch (error) {
    complete = false;
    out(`  (Prometheus could not be asked: ${(error as Error).message})`);
  }
  return complete;
}
