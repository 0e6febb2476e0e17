import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { RequestContext } from '../context/request-context';
import { redact } from './redaction';
import { isoTimestamp } from './timestamp';

export type ServiceLogger = Logger;
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface ServiceLoggerOptions {
  serviceName: string;
  level: LogLevel;
  /** Where lines go; defaults to stdout. Tests pass a stream to capture them. */
  destination?: DestinationStream;
}

// The seed's level vocabulary is error, warn, info, debug: pino's extra levels fold into it.
const LEVEL_WORD: Record<string, string> = { fatal: 'error', trace: 'debug' };

function requestFields(): Record<string, string> {
  const context = RequestContext.current();
  if (!context) return { log_type: 'application' };
  const fields: Record<string, string> = { log_type: 'application', request_id: context.requestId };
  if (context.traceId) fields.trace_id = context.traceId;
  if (context.spanId) fields.span_id = context.spanId;
  if (context.userId) fields.user_id = context.userId;
  return fields;
}

const keepRedacted = (value: unknown): unknown => value;

const ERROR_LEVEL = 50;

/**
 * The service logger's options. `onErrorLine` runs after each error line: the pipeline flushes stdout
 * there, so that the line explaining a crash is not left in the buffer.
 */
export function loggerOptions(serviceName: string, level: LogLevel, onErrorLine?: () => void): LoggerOptions {
  return {
    level,
    messageKey: 'message',
    errorKey: 'error',
    // Errors reach pino already redacted into plain objects that keep their class in `type`; pino's own
    // error serializer would name that plain object's class instead ("Object").
    serializers: { err: keepRedacted, error: keepRedacted },
    base: { service_name: serviceName },
    timestamp: () => `,"@timestamp":"${isoTimestamp()}"`,
    formatters: {
      level: (label) => ({ level: LEVEL_WORD[label] ?? label }),
      bindings: (bindings) => redact(bindings),
    },
    // Fields of the call win over the request's, so a line may set its own log_type.
    mixin: requestFields,
    hooks: {
      logMethod(args, method, lineLevel) {
        const [first, ...rest] = args.map((arg) => redact(arg));
        if (args[0] instanceof Error) {
          // An error logged on its own still gets a message and the error log_type.
          const error = first as { message?: string };
          const message = rest.length > 0 ? rest : [error.message];
          method.apply(this, [{ log_type: 'error', error }, ...message] as Parameters<typeof method>);
        } else {
          method.apply(this, [first, ...rest] as Parameters<typeof method>);
        }
        if (lineLevel >= ERROR_LEVEL) onErrorLine?.();
      },
    },
  };
}

/** How long a line may wait in the stdout buffer before it is written, however quiet the service is. */
export const STDOUT_FLUSH_INTERVAL_MS = 500;
const STDOUT_BUFFER_BYTES = 4096;

/**
 * stdout in blocks of about 4 KB rather than one write per line (one write per line cost a trivial
 * route a fifth of its throughput), each block written synchronously. Handing blocks to libuv's thread
 * pool instead (pino's `sync: false`) cost more than the write itself: a thread wake-up and a callback
 * per block, about 3 µs per line against 0.5 to 2 (docs/performance.md). Synchronous is also what Node
 * does for its own stdout on files and pipes, and what pino defaults to. Lines wait at most
 * STDOUT_FLUSH_INTERVAL_MS; error lines are written at once (see loggerOptions), and pino writes what
 * is left when the process exits.
 */
export function stdoutDestination(): DestinationStream {
  const destination = pino.destination({ fd: 1, sync: true, minLength: STDOUT_BUFFER_BYTES });
  setInterval(() => flushQuietly(destination), STDOUT_FLUSH_INTERVAL_MS).unref();
  return destination;
}

/** Writes out what a buffered destination holds; a destination without a buffer has nothing to do. */
export function flushQuietly(destination: DestinationStream): void {
  const flushable = destination as DestinationStream & { flush?: (callback?: (error?: Error) => void) => void };
  // flush() throws while the destination is still opening; the next tick of the interval retries.
  try {
    flushable.flush?.(() => undefined);
  } catch {
    /* not open yet */
  }
}

export function createServiceLogger(options: ServiceLoggerOptions): ServiceLogger {
  const destination = options.destination ?? stdoutDestination();
  return pino(loggerOptions(options.serviceName, options.level, () => flushQuietly(destination)), destination);
}
