import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '../layout';
import { isRunning, readPid, removePid, spawnDetached, stopGroup, writePid } from '../processes';
import type { StateDir } from '../state';

export const BRUTE_FORCE_SCRIPT = join(WORKSPACE_ROOT, 'tools/traffic/dist/brute-force.js');
const NAME = 'fault-login-brute-force';

/** The `login-brute-force` fault: tools/traffic's brute-force tool in the background, its pid and address in faults/. */
export class LoginAttack {
  constructor(
    private readonly state: StateDir,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  private get pidFile(): string {
    return this.state.path('faults', `${NAME}.pid`);
  }

  private get ipFile(): string {
    return this.state.path('faults', `${NAME}.ip`);
  }

  /** The address it attacks from, while it runs. */
  running(): string | undefined {
    const record = readPid(this.pidFile);
    if (!record || !isRunning(record)) return undefined;
    return existsSync(this.ipFile) ? readFileSync(this.ipFile, 'utf8').trim() : 'unknown address';
  }

  /** Starts it, ending one already running; returns a line saying what runs where. */
  async start(gatewayUrl: string, ip: string): Promise<string> {
    if (!existsSync(BRUTE_FORCE_SCRIPT)) throw new Error(`${BRUTE_FORCE_SCRIPT} is not built (npx nx run traffic-tools:build)`);
    await this.stop();
    this.state.ensure('faults');
    const log = this.state.freshLog(NAME);
    const record = spawnDetached(process.execPath, [BRUTE_FORCE_SCRIPT, '--gateway', gatewayUrl, '--ip', ip], { env: { PATH: this.env.PATH }, cwd: WORKSPACE_ROOT, logFile: log });
    writePid(this.pidFile, record);
    writeFileSync(this.ipFile, `${ip}\n`);
    return `login-brute-force: failed logins from ${ip} against ${gatewayUrl} (pid ${record.pid}, log ${log})`;
  }

  /** Ends it; false if it was not running. */
  async stop(): Promise<boolean> {
    const record = readPid(this.pidFile);
    const running = record !== undefined && isRunning(record);
    if (running) await stopGroup(record.pid);
    removePid(this.pidFile);
    rmSync(this.ipFile, { force: true });
    return running;
  }
}
