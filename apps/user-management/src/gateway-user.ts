import { USER_ID_HEADER } from '@ai-finance/contracts';
import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's user id as api-gateway set it after verifying the access token; 401 when absent or not a UUID. */
export function callerUserId(request: FastifyRequest): string {
  const value = request.headers[USER_ID_HEADER];
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new UnauthorizedException(`Missing or invalid ${USER_ID_HEADER} header: requests must come through api-gateway with a valid access token`);
  }
  return value.toLowerCase();
}

/** `@CallerUserId() userId: string` in a handler that acts for the authenticated user. */
export const CallerUserId = createParamDecorator((_data: unknown, context: ExecutionContext) => callerUserId(context.switchToHttp().getRequest<FastifyRequest>()));
