import { context, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { RequestContext, type RequestContextData } from '../context/request-context';
import { REQUEST_ID_HEADER, requestIdFrom } from '../context/request-id';

type HeaderBag = Record<string, unknown>;

const headerSetter = {
  set(carrier: HeaderBag, key: string, value: string): void {
    carrier[key] = value;
  },
};

const headerGetter = {
  keys: (carrier: HeaderBag): string[] => Object.keys(carrier),
  get(carrier: HeaderBag, key: string): string | string[] | undefined {
    const value = carrier[key] ?? carrier[key.toLowerCase()];
    if (Buffer.isBuffer(value)) return value.toString();
    return value as string | string[] | undefined;
  },
};

/**
 * Writes `traceparent` (and `tracestate`) for the active span and `x-request-id` for the current
 * request into outgoing HTTP headers or RabbitMQ message headers.
 */
export function injectTraceHeaders<T extends HeaderBag>(headers: T, activeContext: Context = context.active()): T {
  propagation.inject(activeContext, headers, headerSetter);
  const current = RequestContext.current();
  if (current && headers[REQUEST_ID_HEADER] === undefined) {
    (headers as HeaderBag)[REQUEST_ID_HEADER] = current.requestId;
  }
  return headers;
}

/** The trace context a caller sent, to parent this side's span on. */
export function extractTraceContext(headers: HeaderBag | undefined): Context {
  return headers ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
}

/** Request context (request id, trace ids) for work that starts from a message rather than a request. */
export function contextFromHeaders(headers: HeaderBag | undefined, activeContext: Context = context.active()): RequestContextData {
  const spanContext = trace.getSpanContext(activeContext);
  const valid = spanContext !== undefined && trace.isSpanContextValid(spanContext);
  return {
    requestId: requestIdFrom(headers?.[REQUEST_ID_HEADER] as string | undefined),
    traceId: valid ? spanContext.traceId : undefined,
    spanId: valid ? spanContext.spanId : undefined,
  };
}
