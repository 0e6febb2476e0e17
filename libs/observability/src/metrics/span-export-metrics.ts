import { SPAN_DROP_REASONS, type SpanExportCounts } from '../tracing/span-exporter';
import type { ServiceMetrics } from './service-metrics';

/**
 * `tracing_spans_exported_total` and `tracing_spans_dropped_total{reason}`, set at scrape time from the
 * exporter's running totals (`counts`, updated in place by the exporter): a dead collector shows as a
 * rising drop count instead of a silent gap in Jaeger.
 */
export function declareSpanExportMetrics(metrics: ServiceMetrics, counts: Readonly<SpanExportCounts>): void {
  metrics.counter({
    name: 'tracing_spans_exported_total',
    help: 'Spans the collector accepted.',
    collect() {
      this.reset();
      this.inc(counts.exported);
    },
  });
  metrics.counter({
    name: 'tracing_spans_dropped_total',
    help: 'Spans not exported, by reason: queue_full (collector too slow or gone), export_failed (refused or unreachable).',
    labelNames: ['reason'],
    collect() {
      this.reset();
      for (const reason of SPAN_DROP_REASONS) this.inc({ reason }, counts.dropped[reason]);
    },
  });
}
