import { readFileSync } from 'node:fs';

// Linux reports utime and stime in clock ticks of 1/100 s on every architecture Node runs on here.
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc/<pid>/stat. */
export function cpuTimeMs(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`process ${pid} under test has exited`);
    throw error;
  }
  // The command name in field 2 may hold spaces: count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
}

export function totalCpuTimeMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuTimeMs(pid), 0);
}
