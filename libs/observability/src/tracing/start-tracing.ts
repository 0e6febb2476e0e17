import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ensureContextManager } from '../context/request-context';

export interface TracingOptions {
  serviceName: string;
  serviceVersion?: string;
  env?: NodeJS.ProcessEnv;
}

export interface TracingHandle {
  enabled: boolean;
  /** Flushes what is queued (bounded by the export timeout) and stops exporting. */
  shutdown(): Promise<void>;
}

const DISABLED: TracingHandle = { enabled: false, shutdown: async () => undefined };
let active: TracingHandle | undefined;

/**
 * Must run before anything requires pg, ioredis or amqplib: their instrumentations patch the modules
 * as they load. Each service calls it from `src/tracing.ts`, the first import of its `main.ts`.
 *
 * Incoming HTTP is traced by our own Fastify hooks rather than @opentelemetry/instrumentation-http,
 * which costs a NestJS-Fastify service 70-80% of its throughput here (see docs/performance.md).
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

  // An unreachable collector is expected (laptops, CI, outages); say so once at warn, not per export.
  diag.setLogger(onceLogger(options.serviceName), DiagLogLevel.WARN);

  const exporter = new OTLPTraceExporter({ timeoutMillis: 3_000 });
  const processor = new BatchSpanProcessor(exporter, {
    // Bounded: when the collector is gone, spans beyond this are dropped, never buffered without limit.
    maxQueueSize: 4_096,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 1_000,
    exportTimeoutMillis: 5_000,
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: options.serviceVersion ?? env.SERVICE_VERSION ?? '0.0.0',
      'deployment.environment.name': env.DEPLOYMENT_ENVIRONMENT ?? 'development',
    }),
    spanProcessors: [processor],
  });
  // Sets the global tracer provider, the AsyncLocalStorage context manager and W3C trace-context propagation.
  provider.register();

  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Only operations inside a traced request or message become spans; background loops stay quiet.
      new IORedisInstrumentation({ requireParentSpan: true }),
      new PgInstrumentation({ requireParentSpan: true }),
      new AmqplibInstrumentation(),
    ],
  });

  active = { enabled: true, shutdown: () => provider.shutdown() };
  return active;
}

function onceLogger(serviceName: string): DiagLogger {
  const seen = new Set<string>();
  const once =
    (write: (line: string) => void) =>
    (message: string, ...args: unknown[]): void => {
      const key = message.slice(0, 80);
      if (seen.has(key)) return;
      seen.add(key);
      write(
        JSON.stringify({
          '@timestamp': new Date().toISOString(),
          level: 'warn',
          service_name: serviceName,
          log_type: 'application',
          message: `opentelemetry: ${message}`,
          detail: args.map(String).join(' ').slice(0, 500),
        }),
      );
    };
  const toStderr = once((line) => process.stderr.write(`${line}\n`));
  const ignore = (): void => undefined;
  return { error: toStderr, warn: toStderr, info: ignore, debug: ignore, verbose: ignore };
}
