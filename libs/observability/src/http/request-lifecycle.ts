import { context, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Histogram } from 'prom-client';
import { ensureContextManager, RequestContext, withRequestData, type RequestContextData } from '../context/request-context';
import { REQUEST_ID_HEADER, requestIdFrom } from '../context/request-id';
import type { AccessLog } from '../logging/access-log';
import { RememberedRedaction } from '../logging/remembered-redaction';
import type { HttpServerLabels } from '../metrics/http-metrics';
import { extractTraceContext } from '../tracing/propagation';

export const UNMATCHED_ROUTE = 'unmatched';

const USER_ID_HEADER = 'x-user-id';
/** Fastify decoration set by startService on a service that runs behind api-gateway. */
export const TRUSTS_GATEWAY_HEADERS = 'trustsGatewayHeaders';
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Routes that probes and scrapers call all day: they are served, but kept out of SLO metrics and traces. */
const OPERATIONAL_ROUTES = new Set(['/metrics', '/health/live', '/health/ready']);

interface RequestState {
  startedAt: bigint;
  route: string;
  path: string;
  operational: boolean;
  span: Span | undefined;
  otelContext: Context;
  context: RequestContextData;
}

const kState = Symbol('observability.request');
type ObservedRequest = FastifyRequest & { [kState]?: RequestState };

export function requestContextOf(request: FastifyRequest): RequestContextData | undefined {
  return (request as ObservedRequest)[kState]?.context;
}

export interface RequestLifecycleDependencies {
  accessLog: AccessLog;
  histogram: Histogram<HttpServerLabels>;
  tracer: Tracer;
}

/**
 * The one place where a request gets its id, its server span, its latency observation and its access
 * log line. Fastify hooks see every request, including 404s and errors thrown before Nest's pipeline.
 */
export function installRequestLifecycle(app: FastifyInstance, deps: RequestLifecycleDependencies): void {
  const { accessLog, histogram, tracer } = deps;
  // A service that trusts its proxy's X-Forwarded-For (one behind api-gateway) also trusts the user id
  // the gateway set after verifying the caller's token, so its logs and spans name the user.
  const trustsGatewayHeaders = app.hasDecorator(TRUSTS_GATEWAY_HEADERS);
  ensureContextManager();
  const redactedPaths = new RememberedRedaction();
  const redactedUserAgents = new RememberedRedaction();

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const operational = OPERATIONAL_ROUTES.has(route);
    const path = pathOf(request.url);
    const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
    reply.header(REQUEST_ID_HEADER, requestId);

    const parent = extractTraceContext(request.headers);
    let span: Span | undefined;
    let otelContext = parent;
    const data: RequestContextData = { requestId };
    if (trustsGatewayHeaders) {
      const userId = request.headers[USER_ID_HEADER];
      if (typeof userId === 'string' && USER_ID.test(userId)) data.userId = userId;
    }
    if (!operational) {
      span = tracer.startSpan(
        `${request.method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': request.method,
            'http.route': route,
            'url.path': path,
            'client.address': request.ip,
            'http.request.header.x-request-id': requestId,
          },
        },
        parent,
      );
      otelContext = trace.setSpan(parent, span);
      const spanContext = span.spanContext();
      if (trace.isSpanContextValid(spanContext)) {
        data.traceId = spanContext.traceId;
        data.spanId = spanContext.spanId;
      }
    }

    otelContext = withRequestData(otelContext, data);
    (request as ObservedRequest)[kState] = {
      startedAt: process.hrtime.bigint(),
      route,
      path,
      operational,
      span,
      otelContext,
      context: data,
    };
    context.with(otelContext, done);
  });

  // Body parsing resumes on the socket's own async context; enter the request's context again so that
  // guards, pipes, handlers and everything they await see it. A request without a body never left it,
  // and entering a context costs (docs/performance.md).
  app.addHook('preHandler', (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const state = (request as ObservedRequest)[kState];
    if (!state || RequestContext.current() === state.context) return done();
    context.with(state.otelContext, done);
  });

  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const state = (request as ObservedRequest)[kState];
    if (!state) return done();
    const durationSeconds = Number(process.hrtime.bigint() - state.startedAt) / 1e9;
    const statusCode = reply.statusCode;
    const { span, context: data } = state;

    if (!state.operational) {
      const labels = { method: request.method, route: state.route, status_code: String(statusCode) };
      const sampled = span !== undefined && span.isRecording() && data.traceId !== undefined;
      // prom-client types exemplar labels as the metric's own label names; trace_id is not one of them.
      const exemplarLabels = (sampled ? { trace_id: data.traceId } : {}) as Partial<Record<HttpServerLabels, string>>;
      histogram.observe({ labels, value: durationSeconds, exemplarLabels });
    }
    if (span) {
      span.setAttribute('http.response.status_code', statusCode);
      if (data.userId) span.setAttribute('enduser.id', data.userId);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }

    const level = state.operational ? 'debug' : statusCode >= 500 ? 'error' : 'info';
    if (accessLog.isLevelEnabled(level)) {
      const userAgent = request.headers['user-agent'];
      accessLog.write(level, {
        request_id: data.requestId,
        trace_id: data.traceId,
        span_id: data.spanId,
        user_id: data.userId,
        method: request.method,
        route: state.route,
        // The two fields the client writes freely: a card number or token in them must not reach the logs.
        path: redactedPaths.redact(state.path),
        status_code: statusCode,
        duration_ms: Math.round(durationSeconds * 1e6) / 1e3,
        ip_address: request.ip,
        user_agent: userAgent === undefined ? undefined : redactedUserAgents.redact(userAgent),
      });
    }
    done();
  });
}

/** The path without its query string: queries carry tokens and ids that belong in neither logs nor spans. */
function pathOf(url: string): string {
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}
