import { ArgumentsHost, Catch, HttpException, HttpStatus, Inject, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context';
import { requestContextOf } from '../http/request-lifecycle';
import { SERVICE_LOGGER } from '../observability.tokens';
import type { ServiceLogger } from '../logging/service-logger';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  request_id: string | undefined;
  details?: string[];
  /** Machine-readable facts a service adds to a refusal, e.g. `reason: "buying_power"`. */
  [field: string]: string | number | boolean | string[] | undefined;
}

/**
 * Every error leaves the service in one shape. Client errors say what was wrong; anything unexpected
 * becomes a 500 whose body reveals nothing, while the log line keeps the stack.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(@Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const requestId = requestContextOf(request)?.requestId ?? RequestContext.current()?.requestId;
    const body = toErrorBody(exception, requestId);

    if (body.statusCode >= 500) {
      this.logger.error(
        {
          log_type: 'error',
          error: exception instanceof Error ? exception : { message: String(exception) },
          status_code: body.statusCode,
          method: request.method,
          route: request.routeOptions?.url ?? 'unmatched',
        },
        exception instanceof Error ? exception.message : 'Unexpected error',
      );
    }
    if (reply.sent) return;
    const retryAfterSeconds = retryAfterOf(exception);
    if (retryAfterSeconds !== undefined && !reply.hasHeader('retry-after')) void reply.header('retry-after', String(retryAfterSeconds));
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}

/**
 * An HttpException may say when to try again (a dependency that is down, a locked account) through a
 * `retryAfterSeconds` property; it becomes the Retry-After header. Duck-typed so that libraries this
 * one must not import (the database library) can use it.
 */
function retryAfterOf(exception: unknown): number | undefined {
  if (!(exception instanceof HttpException)) return undefined;
  const seconds = (exception as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return typeof seconds === 'number' && Number.isInteger(seconds) && seconds > 0 ? seconds : undefined;
}

export function toErrorBody(exception: unknown, requestId: string | undefined): ErrorBody {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'string') {
      return { statusCode, error: statusPhrase(statusCode), message: response, request_id: requestId };
    }
    const { message, error, ...fields } = response as { message?: string | string[]; error?: string };
    const details = Array.isArray(message) ? message : undefined;
    return {
      ...extraFields(fields),
      // After the extra fields, so that a service's own statusCode or request_id never overrides these.
      statusCode,
      error: error ?? statusPhrase(statusCode),
      message: details ? details.join('; ') : String(message ?? exception.message),
      request_id: requestId,
      ...(details ? { details } : {}),
    };
  }
  const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    // Fastify's own client errors (malformed JSON, body too large, unsupported media type).
    return {
      statusCode: fastifyStatus,
      error: statusPhrase(fastifyStatus),
      message: (exception as Error).message,
      request_id: requestId,
    };
  }
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: 'Internal Server Error',
    message: 'An unexpected error occurred. Quote the request_id when reporting it.',
    request_id: requestId,
  };
}

/** 404 → "Not Found", from Nest's HttpStatus names. */
function statusPhrase(statusCode: number): string {
  const name = HttpStatus[statusCode] ?? (statusCode >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST');
  return name
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/\b\w/g, (c) => c.toUpperCase());
}

/** Scalar fields a service put on its exception (`new UnprocessableEntityException({ message, reason })`). */
function extraFields(fields: Record<string, unknown>): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[name] = value;
  }
  return kept;
}
