import { USER_ID_HEADER } from '@ai-finance/contracts';
import { RequestContext } from '@ai-finance/observability';
import { createParamDecorator, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's user id, which api-gateway sets after verifying the token; 401 when absent or not a UUID. */
export const CallerId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const value = context.switchToHttp().getRequest<FastifyRequest>().headers[USER_ID_HEADER];
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new UnauthorizedException(`Missing or invalid ${USER_ID_HEADER} header: requests must come through api-gateway`);
  }
  const userId = value.toLowerCase();
  RequestContext.setUserId(userId);
  return userId;
});
