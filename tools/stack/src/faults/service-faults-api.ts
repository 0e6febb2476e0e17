import type { FaultEntry } from '@ai-finance/observability';
import { failureOf, request } from '../http';
import type { FaultsApi } from './fault-command';

/** One fault as a service's GET /admin/faults lists it (docs/fault-injection.md). */
export type ServiceFault = FaultEntry;

/** What came back from /admin/faults, however it was reached. */
export interface RawAnswer {
  status: number;
  body: string;
}

/**
 * A service's /admin/faults API (docs/fault-injection.md) over some way of reaching it: `send` is the
 * transport, the rest is the API and its errors, which say which service refused and why.
 */
export abstract class ServiceFaultsClient implements FaultsApi {
  constructor(readonly service: string) {}

  protected abstract send(method: string, path: string, body?: unknown): Promise<RawAnswer>;

  list(): Promise<ServiceFault[]> {
    return this.call<{ faults: ServiceFault[] }>('GET', '/admin/faults').then((body) => body.faults);
  }

  activate(fault: string, value?: number): Promise<ServiceFault> {
    return this.call('PUT', `/admin/faults/${encodeURIComponent(fault)}`, value === undefined ? {} : { value });
  }

  clear(fault: string): Promise<ServiceFault> {
    return this.call('DELETE', `/admin/faults/${encodeURIComponent(fault)}`);
  }

  clearAll(): Promise<string[]> {
    return this.call<{ cleared: string[] }>('DELETE', '/admin/faults').then((body) => body.cleared);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.send(method, path, body);
    if (answer.status >= 200 && answer.status < 300) return JSON.parse(answer.body) as T;
    let reason = answer.body;
    try {
      reason = (JSON.parse(answer.body) as { message?: string }).message ?? answer.body;
    } catch {
      // not JSON: the body as it came
    }
    const hint = answer.status === 401 ? ' (the service was started with another FAULT_INJECTION_TOKEN: restart it)' : '';
    throw new Error(`${this.service} refused ${method} ${path}: HTTP ${answer.status}${reason ? ` ${reason}` : ''}${hint}`);
  }
}

/** Over HTTP to the service's own port, with the stack's bearer token (local mode). */
export class HttpServiceFaults extends ServiceFaultsClient {
  constructor(
    service: string,
    private readonly baseUrl: string,
    private readonly token: string,
  ) {
    super(service);
  }

  protected async send(method: string, path: string, body?: unknown): Promise<RawAnswer> {
    const answer = await request(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: 5_000,
    });
    if (answer.status === undefined) throw new Error(`${this.service} did not answer ${method} ${path}: ${failureOf(answer)}`);
    return { status: answer.status, body: answer.body };
  }
}
