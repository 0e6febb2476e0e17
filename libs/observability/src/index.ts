// The whole public surface of @ai-finance/observability.
export { ObservabilityModule, type ObservabilityForRootOptions } from './observability.module';
export { OBSERVABILITY_CONFIG, SERVICE_LOGGER } from './observability.tokens';
export { resolveObservabilityConfig, type ObservabilityConfig, type ObservabilityModuleOptions } from './config/observability-config';
export { ConfigurationError, env, loadEnv } from './config/load-env';

export { RequestContext, type RequestContextData } from './context/request-context';
export { REQUEST_ID_HEADER, requestIdFrom } from './context/request-id';

export { ServiceMetrics, LATENCY_BUCKETS_SECONDS, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_TEXT_CONTENT_TYPE } from './metrics/service-metrics';
export { declareHttpServerMetrics } from './metrics/http-metrics';
export { HTTP_SERVER_DURATION_METRIC } from './metrics/http-metrics';

export { createServiceLogger, loggerOptions, type LogLevel, type ServiceLogger } from './logging/service-logger';
export { createLogPipeline, type LogPipeline } from './logging/log-pipeline';
export { AccessLog, type AccessLogRecord } from './logging/access-log';
export { redact, redactString, passesLuhn, REDACTED } from './logging/redaction';
export { NestLoggerBridge } from './logging/nest-logger';

export { startTracing, type TracingHandle, type TracingOptions } from './tracing/start-tracing';
export { injectTraceHeaders, extractTraceContext, contextFromHeaders } from './tracing/propagation';
export { TracedHttpClient, DEFAULT_HTTP_CLIENT_OPTIONS, type OutgoingRequest, type TracedHttpClientOptions } from './http-client/traced-http-client';

export { UNMATCHED_ROUTE, requestContextOf } from './http/request-lifecycle';
export { HealthRegistry, type HealthCheck, type ReadinessReport } from './health/health-registry';
export { postgresCheck, redisCheck, rabbitmqCheck } from './health/dependency-checks';
export { HttpErrorFilter, toErrorBody, type ErrorBody } from './errors/http-error.filter';
export { startService, createFastifyAdapter, type StartServiceOptions } from './bootstrap/start-service';
export { BearerToken } from './http/bearer-token';
export { CallerGuard, CallerId, OperatorGuard, OperatorId, callerUserId, operatorUserId } from './http/gateway-caller';
export { PeriodicRefresh } from './scheduling/periodic-refresh';
export { RefreshedGauges } from './scheduling/refreshed-gauges';
export { PollingLoop } from './scheduling/polling-loop';
export { FaultRegistry } from './faults/fault-registry';
export type { FaultDefinition, FaultEntry, FaultParameter } from './faults/fault-definition';
