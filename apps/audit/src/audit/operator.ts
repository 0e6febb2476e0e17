import { USER_ID_HEADER, USER_ROLE_HEADER } from '@ai-finance/contracts';
import { ForbiddenException, UnauthorizedException } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The gateway verified the caller and set these headers; the audit trail is for operators only.
 * 401 without a valid user id, 403 for any role but operator. Returns the operator's user id.
 */
export function requireOperator(headers: Record<string, string | string[] | undefined>): string {
  const userId = headers[USER_ID_HEADER];
  if (typeof userId !== 'string' || !UUID.test(userId)) {
    throw new UnauthorizedException(`Missing or invalid ${USER_ID_HEADER}: requests must come through api-gateway`);
  }
  if (headers[USER_ROLE_HEADER] !== 'operator') {
    throw new ForbiddenException('The audit log is available to operators only');
  }
  return userId;
}
