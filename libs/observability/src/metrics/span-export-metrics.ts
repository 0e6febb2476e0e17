import { SPAN_DROP_REASONS, type SpanExportCounts } from '../tracing/span-exporter';
import type { ServiceMetrics } from './service-metrics';

/**
 * `tracing_spans_exported_total` and `tracing_spans_dropped_total{reason}`, read from the exporter's own
 * counts at scrape time: a dead collector shows as a rising drop count instead of a silent gap in Jaeger.
 */
export function declareSpanExportMetrics(metrics: ServiceMetrics, counts: () => SpanExportCounts | undefined): void {
  let reported: SpanExportCounts = { exported: 0, dropped: { queue_full: 0, export_failed: 0 } };
  const read = (): SpanExportCounts => {
    const current = counts();
    return current ? { exported: current.exported, dropped: { ...current.dropped } } : reported;
  };
  const exported = metrics.counter({
    name: 'tracing_spans_exported_total',
    help: 'Spans the collector accepted.',
    collect() {
      const now = read();
      exported.inc(now.exported - reported.exported);
      reported = { ...reported, exported: now.exported };
    },
  });
  const dropped = metrics.counter({
    name: 'tracing_spans_dropped_total',
    help: 'Spans not exported, by reason: queue_full (collector too slow or gone), export_failed (refused or unreachable).',
    labelNames: ['reason'],
    collect() {
      const now = read();
      for (const reason of SPAN_DROP_REASONS) dropped.inc({ reason }, now.dropped[reason] - reported.dropped[reason]);
      reported = { ...reported, dropped: now.dropped };
    },
  });
  for (const reason of SPAN_DROP_REASONS) dropped.inc({ reason }, 0);
}
