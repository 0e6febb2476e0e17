import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const START_MONITORING_SCRIPT = join(__dirname, '..', '..', '..', 'start-monitoring.sh');

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  output: string;
  durationMs: number;
}

/**
 * The environment ./start-monitoring.sh runs with in tests: nothing from this one but PATH and HOME and
 * what the test gives (never a developer's DATABASE_URL or ports), and no install step.
 */
export function startMonitoringEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AI_FINANCE_NO_INSTALL: '1', ...env };
}

/**
 * Runs ./start-monitoring.sh as a user does, in `startMonitoringEnv(env)`. Asynchronous, so that
 * stand-in servers in this process keep answering while it runs.
 */
export function runStartMonitoring(args: string[], env: Record<string, string>, timeoutMs = 180_000): Promise<ScriptRun> {
  const began = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(START_MONITORING_SCRIPT, args, {
      cwd: join(START_MONITORING_SCRIPT, '..'),
      env: startMonitoringEnv(env),
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
