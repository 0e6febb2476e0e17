import { fork, type ChildProcess } from 'node:child_process';
import { SPAN_SINK_MAIN } from './paths';

/** The benchmarks' trace collector in its own process (span-sink/main.ts): an endpoint and a span count. */
export class SpanSink {
  private child: ChildProcess | undefined;
  private port: number | undefined;

  get endpoint(): string {
    if (this.port === undefined) throw new Error('the span sink is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = fork(SPAN_SINK_MAIN, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child = child;
    this.port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port?: number }) => (message.port ? resolve(message.port) : reject(new Error('the span sink sent no port'))));
      child.once('exit', (code) => reject(new Error(`the span sink exited with ${code} before listening`)));
    });
  }

  /** Spans received so far. */
  async spanCount(): Promise<number> {
    const child = this.child;
    if (!child?.connected) throw new Error('the span sink is not running');
    return new Promise<number>((resolve) => {
      child.once('message', (message: { spans: number }) => resolve(message.spans));
      child.send({ type: 'count' });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}
