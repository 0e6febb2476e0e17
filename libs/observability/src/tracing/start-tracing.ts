import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { hostname } from 'node:os';
import { ensureContextManager } from '../context/request-context';
import { LeanTracerProvider } from './lean-tracer';
import { encodeResource } from './otlp-json';
import { samplerFromEnv } from './sampler';
import { OtlpSpanExporter, type SpanExportCounts } from './span-exporter';
import { otlpTracesUrl, otlpHeaders } from './otlp-endpoint';

export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string;
  env?: NodeJS.ProcessEnv;
}

export interface TracingHandle {
  enabled: boolean;
  /** The exporter's running totals of spans exported and dropped, updated in place (none when tracing is off). */
  counts(): SpanExportCounts | undefined;
  /** Flushes what is queued (bounded by the export timeout) and stops exporting. */
  shutdown(): Promise<void>;
}

const DISABLED: TracingHandle = { enabled: false, counts: () => undefined, shutdown: async () => undefined };
let active: TracingHandle | undefined;

/** The tracing started in this process, for the metrics that report its exports. */
export function activeTracing(): TracingHandle | undefined {
  return active;
}

/**
 * Must run before anything requires pg, ioredis or amqplib: their instrumentations patch the modules
 * as they load. Each service calls it from `src/tracing.ts`, the first import of its `main.ts`.
 *
 * Incoming HTTP is traced by our own Fastify hooks rather than @opentelemetry/instrumentation-http, and
 * spans are made and exported by our lean tracer rather than the SDK's: each cost a service a large
 * share of its throughput here (docs/performance.md). The wire format (OTLP/HTTP JSON), the span
 * contexts, W3C propagation and the OTEL_* variables below mean what the specification says.
 */
export function startTracing(options: TracingOptions): TracingHandle {
  if (active) return active;
  const env = options.env ?? process.env;
  if (env.OTEL_SDK_DISABLED === 'true') {
    // No spans, but request ids and user ids still travel with each request through this context.
    ensureContextManager();
    active = DISABLED;
    return active;
  }

  const sampler = samplerFromEnv(env);
  // An unreachable collector is expected (laptops, CI, outages); say so once at warn, not per export.
  const exporter = new OtlpSpanExporter({
    url: otlpTracesUrl(env),
    headers: otlpHeaders(env),
    resource: encodeResource({
      'service.name': options.serviceName,
      'service.version': options.serviceVersion ?? env.SERVICE_VERSION ?? '0.0.0',
      'deployment.environment.name': env.DEPLOYMENT_ENVIRONMENT ?? 'development',
      'host.name': hostname(),
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      'telemetry.sdk.name': '@ai-finance/observability',
      'telemetry.sdk.language': 'nodejs',
    }),
    // Bounded: when the collector is gone, spans beyond this are dropped, never buffered without limit.
    maxQueueSize: 4_096,
    maxBatchSize: 512,
    scheduledDelayMs: 1_000,
    exportTimeoutMs: 3_000,
    warn: warnOnce(options.serviceName),
  });
  const provider = new LeanTracerProvider(sampler, (span) => exporter.enqueue(span));
  ensureContextManager();
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());

  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Only operations inside a traced request or message become spans; background loops stay quiet.
      new IORedisInstrumentation({ requireParentSpan: true }),
      new PgInstrumentation({ requireParentSpan: true }),
      new AmqplibInstrumentation(),
    ],
  });

  active = {
    enabled: true,
    counts: () => exporter.counts,
    shutdown: () => exporter.shutdown(),
  };
  return active;
}

/** One JSON warning line per kind of problem for the life of the process, on stderr. */
function warnOnce(serviceName: string): (message: string, detail?: string) => void {
  const seen = new Set<string>();
  return (message, detail) => {
    if (seen.has(message)) return;
    seen.add(message);
    process.stderr.write(
      `${JSON.stringify({
        '@timestamp': new Date().toISOString(),
        level: 'warn',
        service_name: serviceName,
        log_type: 'application',
        message: `tracing: ${message}`,
        detail: detail?.slice(0, 500),
      })}\n`,
    );
  };
}
