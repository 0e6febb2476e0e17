import { TEST_RABBITMQ_URL } from './test-rabbitmq';

/**
 * Sets environment variables for a test file and puts every one of them back afterwards.
 *
 * The services read their configuration from `process.env` when their module is loaded and started,
 * so a test that starts one in-process has to change the environment of the Jest worker; this keeps
 * the value each variable had before the first change (or its absence) so `restore()` in `afterAll`
 * leaves the worker as it found it, for the next test file.
 */
export class TestEnv {
  private readonly original = new Map<string, string | undefined>();

  /** Sets each variable, remembering its value from before the first change this TestEnv made. */
  set(values: Record<string, string>): void {
    for (const [name, value] of Object.entries(values)) {
      this.remember(name);
      process.env[name] = value;
    }
  }

  /** Removes each variable, remembering its value from before the first change this TestEnv made. */
  unset(names: string[]): void {
    for (const name of names) {
      this.remember(name);
      delete process.env[name];
    }
  }

  /** Puts every variable changed since the last restore back as it was (deleting those that were not set). */
  restore(): void {
    for (const [name, value] of this.original) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.original.clear();
  }

  private remember(name: string): void {
    if (!this.original.has(name)) this.original.set(name, process.env[name]);
  }
}

/**
 * The variables every service started in-process against the test PostgreSQL and RabbitMQ needs: its
 * own database and exchange, tracing off, and only errors logged. Spread it and add what the service
 * needs besides (later keys win, e.g. a different LOG_LEVEL).
 */
export function serviceEnv(database: { url: string }, rabbit: { exchange: string; queuePrefix: string }): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    EVENTS_EXCHANGE: rabbit.exchange,
    RABBITMQ_QUEUE_PREFIX: rabbit.queuePrefix,
    OTEL_SDK_DISABLED: 'true',
    LOG_LEVEL: 'error',
  };
}
