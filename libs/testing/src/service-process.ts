import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './ports';
import { terminate } from './terminate';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

export type LogLine = Record<string, unknown>;

export interface ServiceProcessOptions {
  /** Send stdout to /dev/null instead of keeping it (benchmarks: keeping every line costs memory and CPU). */
  discardStdout?: boolean;
  /** Arguments for node before the script, e.g. `-r` a preload. */
  nodeArgs?: string[];
  /** The script to run; defaults to the service's build output, apps/<name>/dist/main.js. */
  main?: string;
}

/**
 * Runs one of the platform's services from its build output as a separate process, the way it runs
 * in production, and keeps everything it writes to stdout for assertions on its log lines.
 */
export class ServiceProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private child: ChildProcess | undefined;
  private partial = '';

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly options: ServiceProcessOptions = {},
  ) {}

  /** The process id while it runs (benchmarks read its CPU time and memory). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where /metrics and /health/* answer: the MANAGEMENT_PORT when the service has one, else `url`. */
  get managementUrl(): string {
    return `http://127.0.0.1:${this.env.MANAGEMENT_PORT ?? this.port}`;
  }

  /** How the process ended (`exit 1`, `SIGKILL`), or undefined while it runs: a crash shows here. */
  get ended(): string | undefined {
    const child = this.child;
    if (!child || (child.exitCode === null && child.signalCode === null)) return undefined;
    return child.signalCode ?? `exit ${child.exitCode}`;
  }

  /** The end of what the process wrote to stderr: why it exited, when it did. */
  get stderrTail(): string {
    return this.stderr.join('').slice(-2000);
  }

  /** The same service, configured the same way, not started: what a supervisor restarts after a crash. */
  sameAgain(): ServiceProcess {
    return new ServiceProcess(this.name, this.port, this.env, this.options);
  }

  /** Parsed JSON log lines; anything that is not JSON is kept as `{ unparsed: line }` so it is not lost. */
  get logs(): LogLine[] {
    return this.stdout.map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return { unparsed: line };
      }
    });
  }

  async start(timeoutMs = 20_000): Promise<void> {
    const main = this.options.main ?? join(WORKSPACE_ROOT, 'apps', this.name, 'dist', 'main.js');
    this.child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), main], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(this.port), ...this.env },
      stdio: ['ignore', this.options.discardStdout ? 'ignore' : 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.collect(chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    const child = this.child;
    await waitFor(`${this.name} to answer /health/live`, async () => {
      if (child.exitCode !== null) {
        throw new Error(`${this.name} exited with ${child.exitCode}: ${this.stderrTail}`);
      }
      const response = await fetch(`${this.managementUrl}/health/live`).catch(() => undefined);
      return response?.ok ? true : undefined;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    await terminate(this.child, 5_000);
  }

  /** SIGKILL: no shutdown hook runs, open transactions and in-flight requests are cut where they are. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || this.ended !== undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  private collect(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') this.stdout.push(line);
  }
}
