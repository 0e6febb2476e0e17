/*
 * The comparison point of the benchmarks: the stock OpenTelemetry set-up most services would start from
 * (`node -r` this file), with the HTTP and NestJS auto-instrumentations, a batch processor and the
 * OTLP/HTTP exporter, every request traced. Preloaded only by the stock-otel variant.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? 'bench-stock-otel' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
provider.register();
registerInstrumentations({ tracerProvider: provider, instrumentations: [new HttpInstrumentation(), new NestInstrumentation()] });
process.once('SIGTERM', () => void provider.shutdown().finally(() => process.exit(0)));
