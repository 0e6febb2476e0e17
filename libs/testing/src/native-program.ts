import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports';
import { terminate } from './terminate';

/**
 * A program of the monitoring stack (Prometheus, Alertmanager, an exporter) run from its installed
 * binary for one test, on 127.0.0.1, with what it printed kept for the failure message.
 */
export class NativeProgram {
  private child: ChildProcess | undefined;
  private readonly output: string[] = [];

  constructor(
    readonly command: string,
    private readonly args: string[],
    /** A URL that answers 2xx once the program is ready. */
    private readonly readyUrl: string,
    /** How to install the binary when it is missing, e.g. `apt-get install -y prometheus`. */
    private readonly install: string,
    private readonly env: Record<string, string> = {},
  ) {}

  /** The last part of what the program printed. */
  get log(): string {
    return this.output.join('').slice(-4000);
  }

  async start(timeoutMs = 30_000): Promise<void> {
    const child = spawn(this.command, this.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...this.env } });
    this.child = child;
    const failedToStart = new Promise<Error>((resolve) => child.once('error', resolve));
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    const ready = waitFor(
      `${this.command} to answer ${this.readyUrl}`,
      async () => {
        if (child.exitCode !== null) return new Error(`${this.command} exited with ${child.exitCode}:\n${this.log}`);
        const response = await fetch(this.readyUrl).catch(() => undefined);
        return response?.ok ? null : undefined;
      },
      timeoutMs,
      200,
    );
    const outcome = await Promise.race([ready, failedToStart.then((error) => new Error(`${this.command} could not start (${error.message}); install it: ${this.install}`))]);
    if (outcome instanceof Error) throw outcome;
  }

  async stop(): Promise<void> {
    await terminate(this.child, 10_000);
  }
}

interface PrometheusAnswer<T> {
  status: string;
  data: T;
  error?: string;
}

/** A real Prometheus with a configuration made for the test, storing in a directory removed by stop(). */
export class PrometheusServer {
  private readonly workDir = mkdtempSync(join(tmpdir(), 'test-prometheus-'));
  private program: NativeProgram | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.program?.log ?? '';
  }

  /** Starts Prometheus with the configuration `configFor` makes for the address it will listen on. */
  async start(configFor: (address: string) => string, extraArgs: string[] = []): Promise<void> {
    this.port = await freePort();
    const configFile = join(this.workDir, 'prometheus.yml');
    writeFileSync(configFile, configFor(`127.0.0.1:${this.port}`));
    this.program = new NativeProgram(
      'prometheus',
      [`--config.file=${configFile}`, `--storage.tsdb.path=${join(this.workDir, 'data')}`, `--web.listen-address=127.0.0.1:${this.port}`, ...extraArgs],
      `${this.url}/-/ready`,
      'apt-get install -y prometheus',
    );
    await this.program.start();
  }

  /** GETs an API path and returns `data`; an answer other than success throws with Prometheus's error. */
  async api<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`);
    const body = (await response.json()) as PrometheusAnswer<T>;
    if (body.status !== 'success') throw new Error(`Prometheus answered ${path} with ${body.error ?? JSON.stringify(body)}`);
    return body.data;
  }

  /** Evaluates an instant query; the error names the expression. */
  async query<T = Array<{ metric: Record<string, string>; value: [number, string] }>>(expr: string): Promise<T> {
    const response = await fetch(`${this.url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }) });
    const body = (await response.json()) as PrometheusAnswer<{ result: T }>;
    if (body.status !== 'success') throw new Error(`Prometheus could not evaluate ${expr}: ${body.error}`);
    return body.data.result;
  }

  async stop(): Promise<void> {
    await this.program?.stop();
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
