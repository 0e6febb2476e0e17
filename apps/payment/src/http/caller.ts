import { USER_ID_HEADER, USER_ROLE_HEADER } from '@ai-finance/contracts';
import { RequestContext } from '@ai-finance/observability';
import {
  createParamDecorator,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The caller's user id, as api-gateway set it after verifying the token; 401 when absent or malformed. */
@Injectable()
export class CallerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const userId = header(context.switchToHttp().getRequest<FastifyRequest>(), USER_ID_HEADER);
    if (!userId || !UUID.test(userId)) {
      throw new UnauthorizedException(`requests must come through api-gateway: the ${USER_ID_HEADER} header is missing or not a UUID`);
    }
    RequestContext.setUserId(userId.toLowerCase());
    return true;
  }
}

/** Operator-only endpoints: 403 unless api-gateway says the caller's role is `operator`. */
@Injectable()
export class OperatorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (header(context.switchToHttp().getRequest<FastifyRequest>(), USER_ROLE_HEADER) !== 'operator') {
      throw new ForbiddenException(`this endpoint is for operators only (${USER_ROLE_HEADER}: operator)`);
    }
    return true;
  }
}

/** The caller's user id (lower-case UUID); use behind CallerGuard. */
export const CallerId = createParamDecorator((_: unknown, context: ExecutionContext): string =>
  (header(context.switchToHttp().getRequest<FastifyRequest>(), USER_ID_HEADER) ?? '').toLowerCase(),
);
