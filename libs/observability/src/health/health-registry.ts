import type { Gauge } from 'prom-client';

/** Resolves when the dependency answers; throws (or rejects) with the reason when it does not. */
export type HealthCheck = () => Promise<unknown> | unknown;

export interface DependencyState {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  down: string[];
  dependencies: Record<string, DependencyState>;
}

const DEFAULT_TIMEOUT_MS = 1_500;

/** Dependencies a service needs to serve traffic; `/health/ready` asks each of them, concurrently. */
export class HealthRegistry {
  private readonly checks = new Map<string, { check: HealthCheck; timeoutMs: number }>();

  constructor(private readonly statusGauge: Gauge<'dependency'>) {}

  register(name: string, check: HealthCheck, options: { timeoutMs?: number } = {}): void {
    if (this.checks.has(name)) throw new Error(`A health check named "${name}" is already registered`);
    this.checks.set(name, { check, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, { check, timeoutMs }]) => [name, await runCheck(check, timeoutMs)] as const),
    );
    const dependencies: Record<string, DependencyState> = {};
    const down: string[] = [];
    for (const [name, state] of entries) {
      dependencies[name] = state;
      this.statusGauge.set({ dependency: name }, state.status === 'up' ? 1 : 0);
      if (state.status === 'down') down.push(name);
    }
    return { status: down.length === 0 ? 'ready' : 'not_ready', down, dependencies };
  }
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<DependencyState> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(check),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latency_ms: elapsed(started) };
  } catch (error) {
    return { status: 'down', latency_ms: elapsed(started), error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
