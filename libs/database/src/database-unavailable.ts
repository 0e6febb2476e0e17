import { ServiceUnavailableException } from '@nestjs/common';

/** Socket failures of the link to PostgreSQL (ENOTFOUND too: a stopped container's host name disappears). */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** SQLSTATEs outside class 08: admin shutdown, crash shutdown, cannot connect now, too many connections. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** What node-postgres says when the link died or never answered; these errors carry no code. */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /is not queryable/,
];

/**
 * True when `error` says PostgreSQL cannot be reached right now (as opposed to refusing a statement):
 * the request may succeed once the server is back, so it is worth a 503 or a retry, never a dead letter.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  // Node reports a refused connection to a name with several addresses as an AggregateError of them.
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailable)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * PostgreSQL could not be reached. Extends Nest's 503 so the HTTP error filter answers it with the
 * usual error body and a Retry-After header; `cause` keeps the driver's error for the logs.
 */
export class DatabaseUnavailableError extends ServiceUnavailableException {
  readonly retryAfterSeconds = 5;

  constructor(cause: unknown) {
    super('PostgreSQL is unavailable; try again shortly', { cause });
  }
}
