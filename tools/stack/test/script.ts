import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
export const SCRIPT = join(WORKSPACE_ROOT, 'start-monitoring.sh');
const CLI = join(__dirname, '..', 'dist', 'cli.js');

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
  durationMs: number;
}

/**
 * Runs ./start-monitoring.sh as a user does, with nothing from this environment but PATH and HOME and
 * what the test gives (never a developer's DATABASE_URL or ports). Asynchronous, so that stand-in
 * servers in this process keep answering while it runs.
 */
export function runScript(args: string[], env: Record<string, string>, timeoutMs = 180_000): Promise<ScriptRun> {
  const began = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(SCRIPT, args, {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AI_FINANCE_NO_INSTALL: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), (output += chunk.toString())));
    child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString()), (output += chunk.toString())));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`./start-monitoring.sh ${args.join(' ')} did not finish within ${timeoutMs} ms; it printed:\n${output}`));
    }, timeoutMs);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, output, durationMs: Date.now() - began });
    });
  });
}

/** Nx builds before it tests; a direct `jest` run must not test an older build than the sources. */
export function assertBuilt(): void {
  const sources = join(__dirname, '..', 'src');
  const newestSource = Math.max(...readdirSync(sources).map((file) => statSync(join(sources, file)).mtimeMs));
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < newestSource) {
    throw new Error(`${CLI} is missing or older than src/: build it first (npx nx run stack-tools:build; nx test does so itself)`);
  }
}
