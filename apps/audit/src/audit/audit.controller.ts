import { Controller, Get, Headers, Inject, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { AuditLog, type AuditEntry, type VerificationReport } from './audit-log';
import { operatorUserId } from '@ai-finance/observability';

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
  afterSequence?: number;
}

@Controller('audit')
export class AuditController {
  constructor(@Inject(AuditLog) private readonly log: AuditLog) {}

  @Get('verify')
  verify(@Headers() headers: Record<string, string | undefined>): Promise<VerificationReport> {
    operatorUserId(headers);
    return this.log.verify();
  }

  @Get('events')
  async events(@Headers() headers: Record<string, string | undefined>, @Query() query: ListEventsQuery): Promise<{ events: AuditEntry[]; nextAfterSequence: number | null }> {
    operatorUserId(headers);
    const limit = query.limit ?? 100;
    const events = await this.log.list(limit, query.afterSequence ?? 0);
    return { events, nextAfterSequence: events.length === limit ? events[events.length - 1]!.sequence : null };
  }
}
