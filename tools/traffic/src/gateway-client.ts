import { Agent, type Dispatcher } from 'undici';
import type { ActionName } from './action-mix';
import type { RequestStats } from './request-stats';

/** Longest wait for an answer. The gateway gives up on a service after UPSTREAM_TIMEOUT_MS (2 s by default) and answers 504, so this is reached only when the gateway itself hangs. */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface GatewayAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; undefined for an empty or non-JSON body. Parsed when first read. */
  readonly body: unknown;
  /** When the last byte arrived (performance.now()). */
  receivedAtMs: number;
}

export interface SendOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Keep-alive connections to the gateway, from one source address (or the system's choice). */
export function connectionsFrom(localAddress: string | undefined, connections: number): Agent {
  // `localAddress` must be the Agent's own option: undici's connector overrides `connect.localAddress`
  // with the client's (null unless set here), so the socket would silently use 127.0.0.1.
  return new Agent({
    ...(localAddress ? { localAddress } : {}),
    connections,
    keepAliveTimeout: 30_000,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
    connect: { timeout: REQUEST_TIMEOUT_MS },
  });
}

/**
 * Sends one user's requests to the gateway and records each answer (or its absence) with its
 * latency, measured from sending to the last byte of the body.
 */
export class GatewayClient {
  private readonly origin: string;

  constructor(
    gatewayUrl: URL,
    private readonly dispatcher: Dispatcher,
    private readonly stats: RequestStats,
  ) {
    this.origin = gatewayUrl.origin;
  }

  async send(action: ActionName, method: 'GET' | 'POST', path: string, options: SendOptions = {}): Promise<GatewayAnswer | undefined> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'ai-finance-traffic/0.1', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const startedAtMs = performance.now();
    try {
      const response = await this.dispatcher.request({
        origin: this.origin,
        path,
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.body.text();
      const receivedAtMs = performance.now();
      this.stats.record(action, response.statusCode, receivedAtMs - startedAtMs);
      // Most answers are only looked at for their status: their JSON is parsed when something reads it.
      let parsed: { value: unknown } | undefined;
      return {
        status: response.statusCode,
        headers: response.headers,
        get body() {
          return (parsed ??= { value: parseJson(text) }).value;
        },
        receivedAtMs,
      };
    } catch (error) {
      this.stats.record(action, 'network', performance.now() - startedAtMs, describeNetworkError(error));
      return undefined;
    }
  }
}

/** `connect ECONNREFUSED 127.0.0.1:3000`, `HeadersTimeoutError: Headers Timeout Error`: what a person needs to see. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = (error as NodeJS.ErrnoException).code ?? (cause as NodeJS.ErrnoException | undefined)?.code;
  const message = cause?.message ?? error.message;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
