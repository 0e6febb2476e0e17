import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { LoggingResult } from './scenarios/logging';
import type { PlatformScenariosResult } from './scenarios/platform-scenarios';
import type { AddedLatencyResult, RealPathResult } from './scenarios/real-path';
import type { TrivialRouteResult } from './scenarios/trivial-route';
import type { TargetVerdict } from './targets';
import { WORKSPACE_ROOT } from './harness/paths';

export interface MachineDescription {
  cpuModel: string;
  cpuCores: number;
  memoryGiB: number;
  nodeVersion: string;
  platform: string;
  commit: string;
}

export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  machine: MachineDescription;
  settings: { rounds: number; runSeconds: number; warmUpSeconds: number; soakMinutes: number };
  scenarios: {
    trivialRoute?: TrivialRouteResult;
    realPath?: RealPathResult;
    addedLatency?: AddedLatencyResult;
    platform?: PlatformScenariosResult;
    logging?: LoggingResult;
  };
  targets: TargetVerdict[];
}

export function describeMachine(): MachineDescription {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).trim();
    if (dirty !== '') commit += ' (with uncommitted changes)';
  } catch {
    /* not a git checkout */
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpuCores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    nodeVersion: process.version,
    platform: `${process.platform} ${process.arch}`,
    commit,
  };
}
