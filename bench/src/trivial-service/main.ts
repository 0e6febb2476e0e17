/*
 * The trivial route of scenario 1: one NestJS service on Fastify with one JSON route, started in one of
 * the benchmark's variants (BENCH_VARIANT). The stock OpenTelemetry variant is this same bare service
 * with stock/register.ts preloaded by `node -r`.
 */
import { startTracing, type TracingHandle } from '@ai-finance/observability';
import { parseVariant } from '../variants';

const variant = parseVariant(process.env.BENCH_VARIANT);
// Tracing patches modules as they load, so it starts before Nest is required.
const tracing: TracingHandle | undefined = variant.library ? startTracing({ serviceName: 'bench-trivial' }) : undefined;

void import('./trivial-app').then(({ startTrivialService }) => startTrivialService(variant, tracing)).catch((error: unknown) => {
  process.stderr.write(`bench-trivial failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
