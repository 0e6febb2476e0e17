import { failureOf, request } from '../http';

/** One fault as a service's GET /admin/faults lists it (docs/fault-injection.md). */
export interface ServiceFault {
  name: string;
  description: string;
  parameter: { name: string; unit: string; min: number; max: number } | null;
  active: boolean;
  value: number | null;
  since: string | null;
}

/** The /admin/faults API of one running service, with the stack's bearer token. */
export class ServiceFaultsApi {
  constructor(
    readonly service: string,
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

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

  /** The answer's JSON; otherwise an error that says which service refused and the service's own reason. */
  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await request(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: 5_000,
    });
    if (answer.ok) return JSON.parse(answer.body) as T;
    let reason = answer.body;
    try {
      reason = (JSON.parse(answer.body) as { message?: string }).message ?? answer.body;
    } catch {
      // not JSON: the body as it came
    }
    const hint = answer.status === 401 ? ' (the service was started with another FAULT_INJECTION_TOKEN: restart it)' : '';
    throw new Error(`${this.service} refused ${method} ${path}: ${failureOf(answer)}${reason ? ` ${reason}` : ''}${hint}`);
  }
}
