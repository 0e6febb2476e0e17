/** How a service under test is instrumented. Every scenario that compares instrumentation runs these. */
export const VARIANT_NAMES = ['off', 'library', 'library-sampled-10', 'stock-otel'] as const;
export type VariantName = (typeof VARIANT_NAMES)[number];

export interface Variant {
  name: VariantName;
  /** Our observability library (metrics, access log, request context, server spans) is active. */
  library: boolean;
  /** The stock OpenTelemetry SDK with its HTTP and NestJS auto-instrumentations is preloaded. */
  stockOtel: boolean;
  description: string;
}

export const VARIANTS: Record<VariantName, Variant> = {
  off: { name: 'off', library: false, stockOtel: false, description: 'no metrics, no access log, no traces' },
  library: {
    name: 'library',
    library: true,
    stockOtel: false,
    description: 'our library: metrics, one access log line and one exported trace per request',
  },
  'library-sampled-10': {
    name: 'library-sampled-10',
    library: true,
    stockOtel: false,
    description: 'our library with 10% head sampling (metrics and access log still on every request)',
  },
  'stock-otel': {
    name: 'stock-otel',
    library: false,
    stockOtel: true,
    description: 'stock OpenTelemetry SDK with the HTTP and NestJS auto-instrumentations, every request traced',
  },
};

export function parseVariant(value: string | undefined): Variant {
  const variant = VARIANTS[value as VariantName];
  if (!variant) throw new Error(`BENCH_VARIANT must be one of ${VARIANT_NAMES.join(', ')} (got "${value ?? ''}")`);
  return variant;
}

/**
 * The environment that puts a service (the trivial one or a platform service) in a variant. Our own
 * tracing is switched off for the stock variant, which brings its own SDK.
 */
export function variantEnv(variant: Variant): Record<string, string> {
  const env: Record<string, string> = { BENCH_VARIANT: variant.name };
  if (!variant.library) {
    env.OTEL_SDK_DISABLED = 'true';
    env.OBSERVABILITY_REQUEST_TELEMETRY = 'off';
  }
  if (variant.name === 'library-sampled-10') {
    env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    env.OTEL_TRACES_SAMPLER_ARG = '0.1';
  } else {
    env.OTEL_TRACES_SAMPLER = 'parentbased_always_on';
  }
  return env;
}
