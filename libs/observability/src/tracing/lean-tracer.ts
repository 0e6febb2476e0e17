import {
  context as contextApi,
  trace,
  TraceFlags,
  SpanKind,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { RecordedSpan, type FinishedSpan, type InstrumentationScope } from './recorded-span';
import type { Sampler } from './sampler';
import { epochMsOf } from './span-clock';
import { newSpanId, newTraceId } from './span-ids';

/**
 * Makes spans for our own hooks and for the pg, ioredis and amqplib instrumentations, in place of the
 * OpenTelemetry SDK's tracer: same span contexts, parenting, sampling and attributes, a fraction of the
 * work per span (docs/performance.md). Ended sampled spans go to `onEnd`, the exporter's queue.
 */
export class LeanTracerProvider implements TracerProvider {
  private readonly tracers = new Map<string, LeanTracer>();

  constructor(
    private readonly sampler: Sampler,
    private readonly onEnd: (span: FinishedSpan) => void,
  ) {}

  getTracer(name: string, version?: string): Tracer {
    const key = `${name}@${version ?? ''}`;
    let tracer = this.tracers.get(key);
    if (!tracer) {
      tracer = new LeanTracer({ name, version }, this.sampler, this.onEnd);
      this.tracers.set(key, tracer);
    }
    return tracer;
  }
}

class LeanTracer implements Tracer {
  constructor(
    private readonly scope: InstrumentationScope,
    private readonly sampler: Sampler,
    private readonly onEnd: (span: FinishedSpan) => void,
  ) {}

  startSpan(name: string, options: SpanOptions = {}, parentContext: Context = contextApi.active()): Span {
    const parent = options.root ? undefined : trace.getSpanContext(parentContext);
    const validParent = parent !== undefined && trace.isSpanContextValid(parent) ? parent : undefined;
    const traceId = validParent ? validParent.traceId : newTraceId();
    const sampled = this.sampler(validParent, traceId);
    const spanContext: SpanContext = {
      traceId,
      spanId: newSpanId(),
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      traceState: validParent?.traceState,
    };
    // Not sampled: the ids still travel to the next service (which then does not sample either).
    if (!sampled) return trace.wrapSpanContext(spanContext);

    const span = new RecordedSpan(
      this.scope,
      spanContext,
      validParent?.spanId,
      name,
      options.kind ?? SpanKind.INTERNAL,
      epochMsOf(options.startTime),
      this.onEnd,
    );
    if (options.attributes) span.setAttributes(options.attributes);
    if (options.links) span.addLinks(options.links);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = (rest.length >= 2 ? rest[0] : undefined) as SpanOptions | undefined;
    const parentContext = (rest.length >= 3 ? rest[1] : contextApi.active()) as Context;
    const span = this.startSpan(name, options, parentContext);
    return contextApi.with(trace.setSpan(parentContext, span), () => fn(span)) as ReturnType<F>;
  }
}
