import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { AuditLog, type AuditEntry, type VerificationReport } from './audit-log';
import { OperatorGuard } from '@ai-finance/observability';

class ListEventsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 500' })
  @Min(1, { message: 'limit must be a whole number from 1 to 500' })
  @Max(500, { message: 'limit must be a whole number from 1 to 500' })
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'afterSequence must be a whole number, 0 or more' })
  @Min(0, { message: 'afterSequence must be a whole number, 0 or more' })
  // Beyond this a JavaScript number no longer names one sequence exactly, and far beyond it (1e20) the
  // value overflows the bigint column: PostgreSQL would refuse the query and the client would see a 500.
  @Max(Number.MAX_SAFE_INTEGER, { message: `afterSequence must be at most ${Number.MAX_SAFE_INTEGER}` })
  afterSequence?: number;
}

/** Operators only: the guard answers 401/403 before any query is read. */
@Controller('audit')
@UseGuards(OperatorGuard)
export class AuditController {
  constructor(@Inject(AuditLog) private readonly log: AuditLog) {}

  @Get('verify')
  verify(): Promise<VerificationReport> {
    return this.log.verify();
  }

  @Get('events')
  async events(@Query() query: ListEventsQuery): Promise<{ events: AuditEntry[]; nextAfterSequence: number | null }> {
    const limit = query.limit ?? 100;
    const events = await this.log.list(limit, query.afterSequence ?? 0);
    return { events, nextAfterSequence: events.length === limit ? events[events.length - 1]!.sequence : null };
  }
}
