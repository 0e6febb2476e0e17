import { DatabaseUnavailableError } from '@ai-finance/database';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A handler failed because its own database is unreachable, not because of the message: it will
 * succeed unchanged once the database is back, so it is retried instead of dead-lettered. The cause
 * chain is searched, for handlers that wrap the error they caught.
 */
export function isTransientFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (current instanceof DatabaseUnavailableError) return true;
  }
  return false;
}

/** Waits `ms`; false, at once, when `signal` aborts first (the channel closed, close() was called). */
export async function pauseUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
