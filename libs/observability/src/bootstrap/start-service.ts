import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ConfigurationError, env, loadEnv } from '../config/load-env';
import { NestLoggerBridge } from '../logging/nest-logger';
import { SERVICE_LOGGER } from '../observability.tokens';
import type { ServiceLogger } from '../logging/service-logger';
import type { TracingHandle } from '../tracing/start-tracing';
import { TRUSTS_GATEWAY_HEADERS } from '../http/request-lifecycle';
import { REQUEST_ID_HEADER, requestIdFrom } from '../context/request-id';
import { toErrorBody } from '../errors/http-error.filter';
import { closeManagementServer, listenForManagement, separateManagementEndpoints } from './management-port';

export interface StartServiceOptions {
  serviceName: string;
  defaultPort: number;
  tracing: TracingHandle;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes?: number;
  /**
   * Whether `X-Forwarded-For` names the client when TRUST_PROXY is not set. True for the services
   * behind api-gateway (the gateway overwrites the header with the address it saw); false for the
   * gateway itself, which faces the outside.
   */
  trustProxyByDefault?: boolean;
}

/** How long a client may take to send a whole request (headers and body) before it gets 408 and is cut off. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
// Node enforces the request timeout on a timer, every 30 s unless told otherwise: a slow client could
// then hold its connection for twice the timeout.
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** Fastify settings every service shares: bounded bodies and timeouts, no Fastify logger (ours logs). */
export function createFastifyAdapter(options: { bodyLimitBytes?: number; trustProxy?: boolean; requestTimeoutMs?: number } = {}): FastifyAdapter {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const adapter = new FastifyAdapter({
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    http: { connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, requestTimeoutMs), headersTimeout: requestTimeoutMs },
    requestTimeout: requestTimeoutMs,
    connectionTimeout: 30_000,
    keepAliveTimeout: 65_000,
    trustProxy: options.trustProxy ?? false,
    return503OnClosing: true,
    frameworkErrors: answerFrameworkError,
  });
  adapter.getInstance().server.on('checkExpectation', refuseExpectation);
  return adapter;
}

/**
 * Errors Fastify's router raises before any hook or Nest runs (a path that is not valid percent-encoding,
 * a path parameter over maxParamLength): by default Fastify answers them in its own shape, with a `code`
 * and no request id. They get the platform's error body instead.
 */
function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
  const body = toErrorBody(error, requestId);
  void reply.status(body.statusCode).header(REQUEST_ID_HEADER, requestId).header('content-type', 'application/json; charset=utf-8').send(body);
}

/**
 * Node answers an `Expect` other than 100-continue with a bare 417 before Fastify sees the request,
 * unless the server listens for it: the same refusal, with the platform's error body.
 */
function refuseExpectation(request: IncomingMessage, response: ServerResponse): void {
  const requestId = requestIdFrom(request.headers[REQUEST_ID_HEADER]);
  const body = toErrorBody({ statusCode: 417, message: 'the only expectation supported is "Expect: 100-continue"' }, requestId);
  response.writeHead(body.statusCode, { 'content-type': 'application/json; charset=utf-8', [REQUEST_ID_HEADER]: requestId, connection: 'close' });
  response.end(JSON.stringify(body));
}

/** Creates the Nest application on Fastify, listens, and shuts down cleanly on SIGTERM/SIGINT. */
export async function startService(appModule: Type<unknown>, options: StartServiceOptions): Promise<INestApplication> {
  const settings = loadEnv({
    PORT: env.port(options.defaultPort),
    HOST: z.string().min(1).default('0.0.0.0'),
    TRUST_PROXY: env.boolean(options.trustProxyByDefault ?? false),
    // Where /metrics, /health/* and /admin/* answer instead of PORT (api-gateway's PORT is public).
    MANAGEMENT_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(DEFAULT_REQUEST_TIMEOUT_MS),
  });
  if (settings.MANAGEMENT_PORT === settings.PORT) throw new ConfigurationError([`MANAGEMENT_PORT: must differ from PORT (both are ${settings.PORT})`]);
  const adapter = createFastifyAdapter({ bodyLimitBytes: options.bodyLimitBytes, trustProxy: settings.TRUST_PROXY, requestTimeoutMs: settings.HTTP_REQUEST_TIMEOUT_MS });
  if (settings.TRUST_PROXY) adapter.getInstance().decorate(TRUSTS_GATEWAY_HEADERS, true);
  const app = await NestFactory.create<NestFastifyApplication>(appModule, adapter, { bufferLogs: true });
  app.useLogger(app.get(NestLoggerBridge));
  // Signals are handled below rather than by enableShutdownHooks(), which re-raises the signal after
  // closing the app and would kill the process before the last spans are flushed.
  const logger = app.get<ServiceLogger>(SERVICE_LOGGER);

  const fastify = adapter.getInstance();
  const managementPort = settings.MANAGEMENT_PORT;
  if (managementPort !== undefined) {
    // After init, so the request lifecycle's hooks run first and a refused request is still logged.
    await app.init();
    separateManagementEndpoints(fastify, managementPort);
  }
  await app.listen(settings.PORT, settings.HOST);
  const management = managementPort === undefined ? undefined : await listenForManagement(fastify, managementPort, settings.HOST);
  logger.info(
    { port: settings.PORT, management_port: managementPort, host: settings.HOST, tracing: options.tracing.enabled },
    `${options.serviceName} listening on ${settings.HOST}:${settings.PORT}${managementPort === undefined ? '' : ` (metrics, health and admin on ${managementPort})`}`,
  );

  const stop = async (signal: string): Promise<void> => {
    logger.info({ signal }, `${options.serviceName} shutting down`);
    if (management) await closeManagementServer(management);
    await app.close();
    await options.tracing.shutdown().catch(() => undefined);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return app;
}
