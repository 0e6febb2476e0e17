import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ServiceMetrics } from './service-metrics';

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  async scrape(@Headers('accept') accept: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const { contentType, body } = await this.metrics.render(accept);
    reply.header('content-type', contentType);
    reply.header('cache-control', 'no-store');
    return body;
  }
}
