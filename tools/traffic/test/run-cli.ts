import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const TRAFFIC_CLI = join(__dirname, '..', 'dist', 'cli.js');
export const BRUTE_FORCE_CLI = join(__dirname, '..', 'dist', 'brute-force.js');

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A command line started from its build output, with only PATH from this environment and what the test gives. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly finished: Promise<CliRun>;

  constructor(script: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [script, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.finished = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (status, signal) => resolve({ status, signal, stdout: this.stdout, stderr: this.stderr }));
    });
  }
}

/** Runs a command line to its end; fails the test if it has not ended after `timeoutMs`. */
export async function runCli(script: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliRun> {
  const run = new CliProcess(script, args, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  const result = await run.finished;
  clearTimeout(timer);
  if (result.signal === 'SIGKILL') throw new Error(`${script} ${args.join(' ')} did not end within ${timeoutMs} ms; it printed:\n${result.stdout}${result.stderr}`);
  return result;
}
