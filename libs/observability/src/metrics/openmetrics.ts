import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

/*
 * prom-client renders OpenMetrics only from a registry switched to that format for good, and doing so
 * renames its counters in place, which would break the plain-text output served from the same
 * metrics. This renderer reads the registry's public JSON view instead and writes OpenMetrics 1.0.
 */

interface ExemplarLike {
  labelSet: Record<string, string | number>;
  value: number | null;
  timestamp?: number;
}

type Sample = MetricValue<string> & { metricName?: string; exemplar?: ExemplarLike | null };

export async function renderOpenMetrics(registry: Registry): Promise<string> {
  const families = (await registry.getMetricsAsJSON()) as MetricObjectWithValues<Sample>[];
  const lines: string[] = [];
  for (const family of families) {
    const type = String(family.type);
    const familyName = type === 'counter' ? family.name.replace(/_total$/, '') : family.name;
    lines.push(`# TYPE ${familyName} ${type}`, `# HELP ${familyName} ${escapeHelp(family.help)}`);
    for (const sample of family.values) {
      const sampleName = type === 'counter' ? `${familyName}_total` : sample.metricName ?? family.name;
      let line = `${sampleName}${formatLabels(sample.labels)} ${formatNumber(sample.value)}`;
      const exemplar = sample.exemplar;
      if (exemplar && exemplar.value !== null && Object.keys(exemplar.labelSet).length > 0) {
        line += ` # ${formatLabels(exemplar.labelSet)} ${formatNumber(exemplar.value)}`;
        if (exemplar.timestamp !== undefined) line += ` ${exemplar.timestamp}`;
      }
      lines.push(line);
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}

function formatLabels(labels: Record<string, string | number | undefined> | undefined): string {
  if (!labels) return '';
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (value === undefined) continue;
    parts.push(`${name}="${escapeLabelValue(String(value))}"`);
  }
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
