import { randomUUID } from 'node:crypto';

export type Operation = 'quote' | 'payment' | 'order' | 'portfolio';
const OPERATIONS: readonly Operation[] = ['quote', 'payment', 'order', 'portfolio'];

/** One answer as a client saw it; status 0 is no answer at all (connection refused, reset or timed out). */
export interface Answer {
  operation: Operation;
  status: number;
  elapsedMs: number;
  /** The message of an error answer, so a report can say what clients were told. */
  message?: string;
}

export interface TrafficUser {
  userId: string;
  accessToken: string;
}

/** What clients saw between two moments. */
export class TrafficWindow {
  readonly answers: Answer[] = [];

  get served(): number {
    return this.answers.filter((answer) => answer.status > 0).length;
  }

  /** 5xx answers and requests that got no answer. */
  get errors(): Answer[] {
    return this.answers.filter((answer) => answer.status === 0 || answer.status >= 500);
  }

  /** Status counts such as `201×40 503×12`, per operation when asked. */
  statuses(operation?: Operation): string {
    const counts = new Map<number, number>();
    for (const answer of this.answers) if (!operation || answer.operation === operation) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => a - b).map(([status, count]) => `${status === 0 ? 'none' : status}×${count}`).join(' ');
  }

  get slowestMs(): number {
    return Math.max(0, ...this.answers.map((answer) => answer.elapsedMs));
  }
}

const REQUEST_TIMEOUT_MS = 15_000;
const PAUSE_BETWEEN_REQUESTS_MS = 40;

/**
 * Clients using the platform through api-gateway the whole time faults come and go: each worker loops
 * over a quote, a payment, a market order and a portfolio read. Every payment and order the platform
 * accepted (2xx) is kept, so the reconciliation can check that each one is there exactly once.
 */
export class Traffic {
  readonly acceptedPaymentIds = new Set<string>();
  readonly acceptedOrderIds = new Set<string>();
  private readonly windows = new Set<TrafficWindow>();
  private running = false;
  private workers: Array<Promise<void>> = [];

  constructor(
    private readonly gatewayUrl: string,
    private readonly users: readonly TrafficUser[],
  ) {}

  start(): void {
    this.running = true;
    this.workers = this.users.map((user, index) => this.work(user, index));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Starts recording; `end()` stops it and returns what was seen. */
  record(): { end: () => TrafficWindow } {
    const window = new TrafficWindow();
    this.windows.add(window);
    return {
      end: () => {
        this.windows.delete(window);
        return window;
      },
    };
  }

  /** One request outside the loop (a probe, a burst), seen and kept like the loop's own. */
  async send(operation: Operation, user: TrafficUser = this.users[0]): Promise<Answer> {
    const answer = await this.answer(operation, user);
    for (const window of this.windows) window.answers.push(answer);
    return answer;
  }

  private async work(user: TrafficUser, offset: number): Promise<void> {
    for (let step = offset; this.running; step++) {
      await this.send(OPERATIONS[step % OPERATIONS.length], user);
      await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_REQUESTS_MS));
    }
  }

  private async answer(operation: Operation, user: TrafficUser): Promise<Answer> {
    const started = performance.now();
    const request = requestFor(operation, user);
    try {
      const response = await fetch(`${this.gatewayUrl}${request.path}`, {
        method: request.method,
        headers: { authorization: `Bearer ${user.accessToken}`, ...(request.body ? { 'content-type': 'application/json' } : {}), ...request.headers },
        body: request.body ? JSON.stringify(request.body) : undefined,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      const body = parseJson(text);
      if (response.ok && operation === 'payment' && typeof body?.paymentId === 'string') this.acceptedPaymentIds.add(body.paymentId);
      if (response.ok && operation === 'order' && typeof body?.orderId === 'string') this.acceptedOrderIds.add(body.orderId);
      const message = response.ok ? undefined : typeof body?.message === 'string' ? body.message : text.slice(0, 200);
      return { operation, status: response.status, elapsedMs: performance.now() - started, ...(message === undefined ? {} : { message }) };
    } catch (error) {
      return { operation, status: 0, elapsedMs: performance.now() - started, message: error instanceof Error ? error.message : String(error) };
    }
  }
}

function requestFor(operation: Operation, user: TrafficUser): { method: string; path: string; body?: unknown; headers?: Record<string, string> } {
  switch (operation) {
    case 'quote':
      return { method: 'GET', path: '/api/market/quotes/AAPL' };
    case 'payment':
      return {
        method: 'POST',
        path: '/api/payments',
        body: { amount: '9.99', currency: 'USD', method: 'card', plan: 'basic' },
        headers: { 'idempotency-key': `chaos-${user.userId}-${randomUUID()}` },
      };
    case 'order':
      return { method: 'POST', path: '/api/trading/orders', body: { symbol: 'AAPL', side: 'buy', type: 'market', quantity: '0.1' } };
    case 'portfolio':
      return { method: 'GET', path: '/api/portfolio' };
  }
}

function parseJson(text: string): { message?: unknown; paymentId?: unknown; orderId?: unknown } | undefined {
  try {
    return JSON.parse(text) as { message?: unknown; paymentId?: unknown; orderId?: unknown };
  } catch {
    return undefined;
  }
}
