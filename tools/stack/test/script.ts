import { START_MONITORING_SCRIPT } from '@ai-finance/testing';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export { runStartMonitoring as runScript, type ScriptRun } from '@ai-finance/testing';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
export const SCRIPT = START_MONITORING_SCRIPT;
const CLI = join(__dirname, '..', 'dist', 'cli.js');

/** Nx builds before it tests; a direct `jest` run must not test an older build than the sources. */
export function assertBuilt(): void {
  const sources = join(__dirname, '..', 'src');
  const newestSource = Math.max(...readdirSync(sources, { recursive: true, encoding: 'utf8' }).map((file) => statSync(join(sources, file)).mtimeMs));
  if (!existsSync(CLI) || statSync(CLI).mtimeMs < newestSource) {
    throw new Error(`${CLI} is missing or older than src/: build it first (npx nx run stack-tools:build; nx test does so itself)`);
  }
}
