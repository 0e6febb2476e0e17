import type { LoggerService } from '@nestjs/common';
import type { ServiceLogger } from './service-logger';

/** Routes NestJS's own messages (start-up, route mapping, errors) into the service's JSON log. */
export class NestLoggerBridge implements LoggerService {
  constructor(private readonly logger: ServiceLogger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ nest_context: context }, String(message));
  }

  error(message: unknown, stack?: string, context?: string): void {
    this.logger.error({ log_type: 'error', nest_context: context, stack }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ nest_context: context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ nest_context: context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.debug({ nest_context: context }, String(message));
  }
}
