import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** What a pid file holds: enough to tell our process from an unrelated one that got the same pid later. */
export interface PidRecord {
  pid: number;
  command: string;
  /** Start time in clock ticks since boot (Linux /proc), when known. */
  startTime?: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, ...]. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const hasProc = (): boolean => existsSync('/proc/self/stat');

/** The first of `names` found on PATH, as a full path. */
export function findExecutable(names: readonly string[], path: string = process.env.PATH ?? ''): string | undefined {
  for (const name of names) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      const candidate = join(dir, name);
      try {
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // not in this folder
      }
    }
  }
  return undefined;
}

/**
 * Starts a program in a process group of its own (so that stop can end it with everything it started),
 * writing stdout and stderr to `logFile`, and returns without waiting for it.
 */
export function spawnDetached(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): PidRecord {
  const log = openSync(options.logFile, 'a', 0o600);
  try {
    writeFileSync(log, `\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', log, log] });
    child.on('error', (error) => writeFileSync(options.logFile, `could not start ${command}: ${error.message}\n`, { flag: 'a' }));
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return { pid: child.pid, command, startTime: procStat(child.pid)?.[19] };
  } finally {
    closeSync(log);
  }
}

/** Alive and still the process the record was written for (a zombie counts as gone). */
export function isRunning(record: PidRecord): boolean {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  if (!hasProc()) return true;
  const stat = procStat(record.pid);
  if (!stat || stat[0] === 'Z') return false;
  return record.startTime === undefined || stat[19] === record.startTime;
}

/** Live (not zombie) members of a process group. */
function groupMembers(pgid: number): number[] {
  if (!hasProc()) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      const stat = procStat(Number(entry));
      return stat !== undefined && Number(stat[2]) === pgid && stat[0] !== 'Z';
    })
    .map(Number);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

async function waitUntilGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (groupMembers(pgid).length === 0) return true;
    await sleep(100);
  }
  return groupMembers(pgid).length === 0;
}

/**
 * Ends a process group: SIGTERM, up to `graceMs` for it to exit, then SIGKILL. Resolves with how it
 * ended; rejects only if something survives SIGKILL.
 */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<'stopped' | 'killed' | 'gone'> {
  if (groupMembers(pgid).length === 0) return 'gone';
  signalGroup(pgid, 'SIGTERM');
  if (await waitUntilGone(pgid, graceMs)) return 'stopped';
  signalGroup(pgid, 'SIGKILL');
  if (await waitUntilGone(pgid, 5_000)) return 'killed';
  throw new Error(`process group ${pgid} survived SIGKILL: ${groupMembers(pgid).join(', ')}`);
}

export function readPid(file: string): PidRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

export function writePid(file: string, record: PidRecord): void {
  writeFileSync(file, `${JSON.stringify(record)}\n`);
}

export function removePid(file: string): void {
  rmSync(file, { force: true });
}

/** Whether something already listens on 127.0.0.1:port (or on every address). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** The last `lines` lines of a file, or a note that it is empty or missing. */
export function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return `(no log at ${file})`;
  const size = statSync(file).size;
  const length = Math.min(size, 64 * 1024);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8').trimEnd();
  if (text === '') return `(${file} is empty)`;
  return text.split('\n').slice(-lines).join('\n');
}
