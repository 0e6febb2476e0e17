import { USER_ID_HEADER, USER_ROLE_HEADER } from '@ai-finance/contracts';
import { ForbiddenException, UnauthorizedException } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type Headers = Record<string, string | string[] | undefined>;

/** The caller's user id, set by api-gateway after it verified the token; 401 when absent or malformed. */
export function requireUserId(headers: Headers): string {
  const userId = headers[USER_ID_HEADER];
  if (typeof userId !== 'string' || !UUID.test(userId)) {
    throw new UnauthorizedException(`Missing or invalid ${USER_ID_HEADER}: requests must come through api-gateway`);
  }
  return userId;
}

/** 401 without a valid user id, 403 for any role but operator. */
export function requireOperator(headers: Headers): string {
  const userId = requireUserId(headers);
  if (headers[USER_ROLE_HEADER] !== 'operator') throw new ForbiddenException('Sending notifications is for operators only');
  return userId;
}
