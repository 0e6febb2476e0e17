import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { RequestContext } from '../context/request-context';
import { redact } from './redaction';

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

export function loggerOptions(serviceName: string, level: LogLevel): LoggerOptions {
  return {
    level,
    messageKey: 'message',
    errorKey: 'error',
    // Errors reach pino already redacted into plain objects that keep their class in `type`; pino's own
    // error serializer would name that plain object's class instead ("Object").
    serializers: { err: keepRedacted, error: keepRedacted },
    base: { service_name: serviceName },
    timestamp: () => `,"@timestamp":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ level: LEVEL_WORD[label] ?? label }),
      bindings: (bindings) => redact(bindings),
    },
    // Fields of the call win over the request's, so a line may set its own log_type.
    mixin: requestFields,
    hooks: {
      logMethod(args, method) {
        const [first, ...rest] = args.map((arg) => redact(arg));
        if (args[0] instanceof Error) {
          // An error logged on its own still gets a message and the error log_type.
          const error = first as { message?: string };
          const message = rest.length > 0 ? rest : [error.message];
          method.apply(this, [{ log_type: 'error', error }, ...message] as Parameters<typeof method>);
          return;
        }
        method.apply(this, [first, ...rest] as Parameters<typeof method>);
      },
    },
  };
}

/** stdout, written asynchronously so that logging never blocks the event loop on a slow terminal or pipe. */
export function stdoutDestination(): DestinationStream {
  return pino.destination({ fd: 1, sync: false, minLength: 0 });
}

export function createServiceLogger(options: ServiceLoggerOptions): ServiceLogger {
  return pino(loggerOptions(options.serviceName, options.level), options.destination ?? stdoutDestination());
}
