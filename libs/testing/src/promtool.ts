import { spawnSync } from 'node:child_process';

/** Runs `promtool check metrics` on an exposition; returns its complaints ('' when there are none). */
export function promtoolCheckMetrics(exposition: string): { exitCode: number; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (result.error) {
    throw new Error(`promtool is needed (Debian package "prometheus"): ${result.error.message}`);
  }
  return { exitCode: result.status ?? -1, output: `${result.stdout}${result.stderr}`.trim() };
}
