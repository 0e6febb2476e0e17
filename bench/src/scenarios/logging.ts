import { spawn } from 'node:child_process';
import type { BenchContext } from '../harness/bench-context';
import { LOGGING_PROBE_MAIN } from '../harness/paths';
import { closedPort, startSilentServer } from './platform-backends';

export interface LoggingProbeRun {
  lines: number;
  linesPerSecond: number;
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  recordsDroppedForElasticsearch: number;
  residentMemoryMiB: number;
}

export interface LoggingResult {
  /** Lines per second to stdout (/dev/null), half access log lines and half application lines. */
  stdoutOnly: LoggingProbeRun;
  pacedLinesPerSecond: number;
  /** The same pace with and without an Elasticsearch that accepts connections and never answers. */
  pacedStdoutOnly: LoggingProbeRun;
  pacedElasticsearchHung: LoggingProbeRun;
  pacedElasticsearchRefused: LoggingProbeRun;
}

const PACED_LINES_PER_SECOND = 5_000;

/** Scenario 6: log throughput to stdout, and event-loop delay while Elasticsearch is unreachable. */
export async function measureLogging(context: BenchContext): Promise<LoggingResult> {
  const hung = await startSilentServer();
  const refused = await closedPort();
  try {
    const seconds = context.runSeconds;
    const stdoutOnly = await runProbe({ LOGGING_PROBE_MODE: 'throughput', LOGGING_PROBE_SECONDS: String(seconds) });
    context.progress(`logging: ${stdoutOnly.linesPerSecond} lines/s to stdout`);
    const paced = (extra: Record<string, string>): Promise<LoggingProbeRun> =>
      runProbe({ LOGGING_PROBE_MODE: 'paced', LOGGING_PROBE_SECONDS: String(seconds), LOGGING_PROBE_LINES_PER_SECOND: String(PACED_LINES_PER_SECOND), ...extra });
    const pacedStdoutOnly = await paced({});
    const pacedElasticsearchHung = await paced({ ELASTICSEARCH_URL: hung.url });
    const pacedElasticsearchRefused = await paced({ ELASTICSEARCH_URL: refused.url });
    context.progress(
      `logging at ${PACED_LINES_PER_SECOND}/s: event-loop p99 ${pacedStdoutOnly.eventLoopDelayP99Ms.toFixed(2)} ms without Elasticsearch, ` +
        `${pacedElasticsearchHung.eventLoopDelayP99Ms.toFixed(2)} ms with it hung, ${pacedElasticsearchRefused.eventLoopDelayP99Ms.toFixed(2)} ms refused`,
    );
    return { stdoutOnly, pacedLinesPerSecond: PACED_LINES_PER_SECOND, pacedStdoutOnly, pacedElasticsearchHung, pacedElasticsearchRefused };
  } finally {
    await hung.close();
  }
}

function runProbe(env: Record<string, string>): Promise<LoggingProbeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LOGGING_PROBE_MAIN], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = stderr.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        resolve(JSON.parse(last) as LoggingProbeRun);
      } catch (error) {
        reject(new Error(`the logging probe failed (${error instanceof Error ? error.message : String(error)}): ${stderr.slice(-1500)}`));
      }
    });
  });
}
