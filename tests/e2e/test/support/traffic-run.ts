import { START_MONITORING_SCRIPT, startMonitoringEnv, type LocalStackRun } from '@ai-finance/testing';
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Arguments of the normal load: enough payment traffic for HighErrorRate's minimum (1000 payment
 * requests in 5 minutes, i.e. 3.4 per second), the rest a realistic mix.
 */
export const TRAFFIC_ARGS = ['--rate', '16', '--users', '40', '--mix', 'quotes=25,orders=10,trades=5,payments=35,portfolio=10,signals=10,account=5'];

/** `./start-monitoring.sh traffic` in the background for the whole test, stopped with Ctrl-C (SIGINT). */
export class TrafficRun {
  private output = '';
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.once('exit', (code, signal) => (this.exit = { code, signal }));
  }

  static start(run: LocalStackRun): TrafficRun {
    // A process group of its own: SIGINT reaches the script's node and the simulator, as Ctrl-C would.
    const child = spawn(START_MONITORING_SCRIPT, ['--local', 'traffic', ...TRAFFIC_ARGS], {
      env: startMonitoringEnv(run.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    return new TrafficRun(child);
  }

  /** Why the load is not what the scenarios need: the simulator ended early. */
  failures(): string[] {
    return this.exit ? [`the traffic simulator exited (${this.exit.code ?? this.exit.signal}) while it should run:\n${this.output.slice(-2_000)}`] : [];
  }

  /** Stops the simulator like Ctrl-C and returns what it printed last (its summary). */
  async stop(): Promise<string> {
    if (!this.exit && this.child.pid !== undefined) {
      process.kill(-this.child.pid, 'SIGINT');
      const deadline = Date.now() + 20_000;
      while (!this.exit && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      if (!this.exit) process.kill(-this.child.pid, 'SIGKILL');
    }
    return this.output.split('\n').slice(-40).join('\n');
  }
}
