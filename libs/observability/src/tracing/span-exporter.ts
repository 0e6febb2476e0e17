import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { Pool } from 'undici';
import { encodeExportRequest, encodeSpan, type EncodedSpan } from './otlp-json';
import type { FinishedSpan } from './recorded-span';

export interface SpanExporterOptions {
  /** Full URL of the collector's OTLP/HTTP traces endpoint (…/v1/traces). */
  url: string;
  /** The resource, already encoded (otlp-json's encodeResource). */
  resource: string;
  headers?: Record<string, string>;
  /** Spans waiting beyond this are dropped and counted, never buffered without limit. */
  maxQueueSize: number;
  maxBatchSize: number;
  scheduledDelayMs: number;
  exportTimeoutMs: number;
  /** Called with a short reason when spans are dropped or an export fails; the caller rate-limits it. */
  warn: (message: string, detail?: string) => void;
}

export const SPAN_DROP_REASONS = ['queue_full', 'export_failed'] as const;
export type SpanDropReason = (typeof SPAN_DROP_REASONS)[number];

export interface SpanExportCounts {
  exported: number;
  dropped: Record<SpanDropReason, number>;
}

/**
 * Batches ended spans, each written as OTLP JSON as it arrives, and posts them to the collector, one
 * request at a time: a batch leaves when it is full or every `scheduledDelayMs`. What the collector does not take is counted, not retried, so a dead
 * collector costs a bounded queue and one refused connection per interval.
 */
export class OtlpSpanExporter {
  readonly counts: SpanExportCounts = { exported: 0, dropped: { queue_full: 0, export_failed: 0 } };
  private queue: EncodedSpan[] = [];
  private exporting: Promise<void> | undefined;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly timer: NodeJS.Timeout;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: SpanExporterOptions) {
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, { connections: 1, pipelining: 1, connect: { timeout: options.exportTimeoutMs } });
    this.headers = { 'content-type': 'application/json', ...options.headers };
    this.timer = setInterval(() => this.exportBatch(), options.scheduledDelayMs).unref();
  }

  enqueue(span: FinishedSpan): void {
    if (this.queue.length >= this.options.maxQueueSize) {
      this.counts.dropped.queue_full++;
      this.options.warn('span queue full: spans are being dropped (collector slow or unreachable)');
      return;
    }
    let encoded: EncodedSpan;
    try {
      encoded = encodeSpan(span);
    } catch (error) {
      // span.end() runs inside a request: a span that cannot be written is dropped, never thrown there.
      this.counts.dropped.export_failed++;
      this.options.warn('a span could not be written as OTLP JSON and was dropped', describe(error));
      return;
    }
    this.queue.push(encoded);
    if (this.queue.length >= this.options.maxBatchSize) this.exportBatch();
  }

  /**
   * Posts what is queued, one batch after another, for at most `exportTimeoutMs` in all (a hung collector
   * must not hold up a service's shutdown), then closes; what is left is counted as not exported.
   */
  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    let timedOut = false;
    const drain = async (): Promise<void> => {
      await this.exporting;
      while (this.queue.length > 0 && !timedOut) {
        this.exportBatch();
        await this.exporting;
      }
    };
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([drain(), new Promise<void>((resolve) => (deadline = setTimeout(() => resolve(), this.options.exportTimeoutMs)))]);
    clearTimeout(deadline);
    timedOut = true;
    this.counts.dropped.export_failed += this.queue.length;
    this.queue = [];
    // Destroying the pool fails the export still in flight, which counts its spans as not exported.
    await this.pool.destroy();
    await this.exporting;
  }

  private exportBatch(): void {
    if (this.exporting || this.queue.length === 0) return;
    const batch = this.queue.length <= this.options.maxBatchSize ? this.queue : this.queue.slice(0, this.options.maxBatchSize);
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length);
    // Outside any request: the export is not part of the request whose span happened to fill the batch.
    this.exporting = context.with(ROOT_CONTEXT, () => this.post(batch)).finally(() => {
      this.exporting = undefined;
    });
  }

  private async post(batch: EncodedSpan[]): Promise<void> {
    try {
      const response = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers: this.headers,
        body: encodeExportRequest(this.options.resource, batch),
        headersTimeout: this.options.exportTimeoutMs,
        bodyTimeout: this.options.exportTimeoutMs,
      });
      await response.body.dump();
      if (response.statusCode >= 200 && response.statusCode < 300) {
        this.counts.exported += batch.length;
        return;
      }
      this.failed(batch.length, `collector answered ${response.statusCode}`);
    } catch (error) {
      this.failed(batch.length, describe(error));
    }
  }

  private failed(spans: number, reason: string): void {
    this.counts.dropped.export_failed += spans;
    this.options.warn('span export failed: spans are being dropped (collector unreachable or refusing)', reason);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
