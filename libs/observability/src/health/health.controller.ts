import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthRegistry, type ReadinessReport } from './health-registry';

@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Liveness: the process runs and its event loop turns. Dependencies do not matter here. */
  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'alive' } {
    return { status: 'alive' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.registry.readiness();
    reply.status(report.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    reply.header('cache-control', 'no-store');
    return report;
  }
}
