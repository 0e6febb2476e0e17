/** What one HTTP request got: the status and body, or why there was none. */
export interface Answer {
  ok: boolean;
  status?: number;
  body: string;
  /** Connection refused, timeout, ...: set when there was no HTTP answer at all. */
  error?: string;
}

/** One request with a time limit; never throws. */
export async function request(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Answer> {
  const { timeoutMs = 3_000, ...rest } = init;
  try {
    const response = await fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    return { ok: response.ok, status: response.status, body };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    return { ok: false, body: '', error: reason };
  }
}

/** `HTTP 503` or `ECONNREFUSED`: why an answer was not 2xx, in a few words. */
export const failureOf = (answer: Answer): string => answer.error ?? `HTTP ${answer.status}`;

/** GETs JSON; throws with the URL and the reason when the answer is not 2xx JSON. */
export async function getJson<T>(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<T> {
  const answer = await request(url, init);
  if (!answer.ok) throw new Error(`${url}: ${failureOf(answer)}${answer.body ? ` ${answer.body.slice(0, 200)}` : ''}`);
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new Error(`${url} did not answer JSON: ${answer.body.slice(0, 200)}`);
  }
}

interface PrometheusAnswer<T> {
  status: string;
  data: T;
  error?: string;
}

/** A Prometheus HTTP API: `data` of a successful answer, or an error naming the path and Prometheus's reason. */
export class PrometheusApi {
  constructor(readonly url: string) {}

  async get<T>(path: string): Promise<T> {
    const body = await getJson<PrometheusAnswer<T>>(`${this.url}${path}`, { timeoutMs: 10_000 });
    if (body.status !== 'success') throw new Error(`Prometheus answered ${path} with ${body.error ?? JSON.stringify(body)}`);
    return body.data;
  }

  async query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    return (await this.get<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result;
  }
}
