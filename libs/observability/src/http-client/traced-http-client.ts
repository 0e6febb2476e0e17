import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Histogram } from 'prom-client';
import { Pool, type Dispatcher } from 'undici';
import { LATENCY_BUCKETS_SECONDS, type ServiceMetrics } from '../metrics/service-metrics';
import { injectTraceHeaders } from '../tracing/propagation';

export interface TracedHttpClientOptions {
  /** A short, fixed name for the upstream (`market-data`): a metric label and the span's peer name. */
  target: string;
  baseUrl: string;
  connections: number;
  connectTimeoutMs: number;
  /** Time allowed for the upstream to send response headers. */
  headersTimeoutMs: number;
  /** Time allowed between body chunks. */
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_CLIENT_OPTIONS = {
  connections: 128,
  connectTimeoutMs: 2_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 30_000,
} satisfies Partial<TracedHttpClientOptions>;

export interface OutgoingRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: string | Buffer;
}

const tracer = trace.getTracer('@ai-finance/observability');

/**
 * Keep-alive pooled HTTP client for calls between services. Every call gets a client span, carries
 * `traceparent` and `x-request-id`, and is timed in `http_client_request_duration_seconds`.
 */
export class TracedHttpClient {
  private readonly pool: Pool;
  private readonly histogram: Histogram<'target' | 'method' | 'status_code'>;

  constructor(
    private readonly options: TracedHttpClientOptions,
    metrics: ServiceMetrics,
  ) {
    this.pool = new Pool(options.baseUrl, {
      connections: options.connections,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs,
    });
    // Declared once per registry: ServiceMetrics hands every further client the same histogram.
    this.histogram = metrics.histogram({
      name: 'http_client_request_duration_seconds',
      help: 'Duration of HTTP calls to other services, until the response headers arrive.',
      labelNames: ['target', 'method', 'status_code'],
      buckets: LATENCY_BUCKETS_SECONDS,
    });
  }

  async request(outgoing: OutgoingRequest): Promise<Dispatcher.ResponseData> {
    const span = tracer.startSpan(outgoing.method, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': outgoing.method, 'server.address': this.options.target, 'url.path': outgoing.path.split('?')[0] },
    });
    const headers: Record<string, string | string[] | undefined> = { ...outgoing.headers };
    injectTraceHeaders(headers, trace.setSpan(context.active(), span));
    const started = performance.now();
    try {
      const response = await this.pool.request({ method: outgoing.method, path: outgoing.path, headers, body: outgoing.body });
      this.observe(outgoing.method, String(response.statusCode), started);
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    } catch (error) {
      this.observe(outgoing.method, 'error', started);
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private observe(method: string, statusCode: string, started: number): void {
    this.histogram.observe({ target: this.options.target, method, status_code: statusCode }, (performance.now() - started) / 1000);
  }
}
