import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line, outgoing call and message of one request (or one consumed message) shares. */
export interface RequestContextData {
  requestId: string;
  traceId?: string;
  spanId?: string;
  userId?: string;
}

const storage = new AsyncLocalStorage<RequestContextData>();

export const RequestContext = {
  run<T>(data: RequestContextData, fn: () => T): T {
    return storage.run(data, fn);
  },

  current(): RequestContextData | undefined {
    return storage.getStore();
  },

  /**
   * Runs `fn` outside any request, for work that outlives the request that triggered it (a timer
   * started after a commit must not log under that request's id).
   */
  detached<T>(fn: () => T): T {
    return storage.exit(fn);
  },

  /** Called once the caller is known (after authentication), so later log lines carry `user_id`. */
  setUserId(userId: string): void {
    const data = storage.getStore();
    if (data) data.userId = userId;
  },
};
