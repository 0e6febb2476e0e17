import { createParamDecorator, ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context';

/*
 * Who is calling a service behind api-gateway. The gateway verified the access token and set these
 * headers after removing any the client sent (header names as in @ai-finance/contracts).
 */
const USER_ID_HEADER = 'x-user-id';
const USER_ROLE_HEADER = 'x-user-role';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Headers = Record<string, string | string[] | undefined>;

/** The caller's user id (lower case); 401 when the header is missing or not a UUID. */
export function callerUserId(headers: Headers): string {
  const value = headers[USER_ID_HEADER];
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw new UnauthorizedException(`missing or invalid ${USER_ID_HEADER} header: requests must come through api-gateway with a valid access token`);
  }
  const userId = value.toLowerCase();
  RequestContext.setUserId(userId);
  return userId;
}

/** The caller's user id when the caller is an operator; 401 as above, 403 for any other role. */
export function operatorUserId(headers: Headers): string {
  const userId = callerUserId(headers);
  if (headers[USER_ROLE_HEADER] !== 'operator') throw new ForbiddenException('this endpoint is for operators only');
  return userId;
}

const headersOf = (context: ExecutionContext): Headers => context.switchToHttp().getRequest<FastifyRequest>().headers;

/** `@CallerId() userId: string` in a handler that acts for the signed-in user. */
export const CallerId = createParamDecorator((_data: unknown, context: ExecutionContext): string => callerUserId(headersOf(context)));

/** `@OperatorId() userId: string` in a handler only operators may call. */
export const OperatorId = createParamDecorator((_data: unknown, context: ExecutionContext): string => operatorUserId(headersOf(context)));

/** `@UseGuards(CallerGuard)`: 401 before any pipe runs, for controllers where every route acts for a user. */
@Injectable()
export class CallerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    callerUserId(headersOf(context));
    return true;
  }
}

/** `@UseGuards(OperatorGuard)`: 401 or 403 before any pipe runs, for operator-only controllers. */
@Injectable()
export class OperatorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    operatorUserId(headersOf(context));
    return true;
  }
}
