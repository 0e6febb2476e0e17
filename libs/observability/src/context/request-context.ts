import { context, createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/** What every log line, outgoing call and message of one request (or one consumed message) shares. */
export interface RequestContextData {
  requestId: string;
  traceId?: string;
  spanId?: string;
  userId?: string;
}

const REQUEST_DATA = createContextKey('ai-finance.request-context');

/*
 * The request's data travels inside the OpenTelemetry context rather than in an AsyncLocalStorage of its
 * own: on Node 20 every AsyncLocalStorage instance adds work to every promise created, and a request
 * creates dozens (docs/performance.md). One storage carries the span and the request's data.
 */
let contextManagerChecked = false;

/**
 * Makes sure an AsyncLocalStorage-backed context manager is registered: the tracer provider registers
 * one, but tracing may be off (OTEL_SDK_DISABLED) and tests build apps without it.
 */
export function ensureContextManager(): void {
  if (contextManagerChecked) return;
  contextManagerChecked = true;
  const probe = createContextKey('ai-finance.context-probe');
  const propagates = context.with(ROOT_CONTEXT.setValue(probe, true), () => context.active().getValue(probe) === true);
  if (!propagates) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

export const RequestContext = {
  run<T>(data: RequestContextData, fn: () => T): T {
    ensureContextManager();
    return context.with(withRequestData(context.active(), data), fn);
  },

  current(): RequestContextData | undefined {
    return context.active().getValue(REQUEST_DATA) as RequestContextData | undefined;
  },

  /**
   * Runs `fn` outside any request, for work that outlives the request that triggered it (a timer
   * started after a commit must not log under that request's id).
   */
  detached<T>(fn: () => T): T {
    return context.with(context.active().deleteValue(REQUEST_DATA), fn);
  },

  /** Called once the caller is known (after authentication), so later log lines carry `user_id`. */
  setUserId(userId: string): void {
    const data = RequestContext.current();
    if (data) data.userId = userId;
  },
};

/** `parent` with the request's data added: enter it with `context.with` to run as part of the request. */
export function withRequestData(parent: Context, data: RequestContextData): Context {
  return parent.setValue(REQUEST_DATA, data);
}
