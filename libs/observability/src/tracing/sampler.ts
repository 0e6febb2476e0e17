import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import { ConfigurationError } from '../config/load-env';

/** Decides, for a span about to start, whether it is recorded and exported. */
export type Sampler = (parent: SpanContext | undefined, traceId: string) => boolean;

const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * The head sampler named by OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, with the meanings the
 * OpenTelemetry specification gives them. The parent-based ones follow a caller's sampled flag, so a
 * trace is kept or dropped as a whole across services. A bad value stops the service at start-up.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  if (!(SAMPLERS as readonly string[]).includes(name)) {
    throw new ConfigurationError([`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')} (got "${env.OTEL_TRACES_SAMPLER}")`]);
  }
  const root = rootSampler(name, env.OTEL_TRACES_SAMPLER_ARG);
  if (!name.startsWith('parentbased_')) return (_parent, traceId) => root(traceId);
  return (parent, traceId) => (parent === undefined ? root(traceId) : (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED);
}

function rootSampler(name: string, argument: string | undefined): (traceId: string) => boolean {
  if (name.endsWith('always_on')) return () => true;
  if (name.endsWith('always_off')) return () => false;
  const ratio = argument === undefined || argument.trim() === '' ? 1 : Number(argument);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new ConfigurationError([`OTEL_TRACES_SAMPLER_ARG must be a ratio between 0 and 1 (got "${argument}")`]);
  }
  // The same decision for the same trace id everywhere: its last 8 hex digits against the ratio.
  const bound = Math.floor(ratio * 0xffffffff);
  return (traceId) => ratio >= 1 || parseInt(traceId.slice(-8), 16) < bound;
}
