import { spawnSync } from 'node:child_process';

export interface ToolRunOptions {
  /** The Debian package that installs the program, named in the error when it is missing: `prometheus` for promtool. */
  install: string;
  cwd?: string;
  /** The whole environment of the program; the test's own when left out. */
  env?: NodeJS.ProcessEnv;
  /** Written to the program's standard input. */
  input?: string;
}

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr, as they are. */
  output: string;
}

/**
 * Runs an installed program (promtool, amtool, shellcheck...) to completion. A program that cannot be
 * started fails the test, saying which Debian package installs it; one that runs and fails is the
 * caller's to judge, from its status and output.
 */
export function runTool(command: string, args: string[], { install, cwd, env, input }: ToolRunOptions): ToolRun {
  const result = spawnSync(command, args, { cwd, env, input, encoding: 'utf8' });
  if (result.error) throw new Error(`${command} is needed (${result.error.message}); install the Debian package "${install}": apt-get install -y ${install}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}${result.stderr}` };
}

/** Runs `promtool check metrics` on an exposition; returns its complaints ('' when there are none). */
export function promtoolCheckMetrics(exposition: string): { exitCode: number; output: string } {
  const result = runTool('promtool', ['check', 'metrics'], { install: 'prometheus', input: exposition });
  return { exitCode: result.status ?? -1, output: result.output.trim() };
}
