import { All, Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UpstreamProxy } from '../proxy/upstream-proxy';
import { upstreamPath } from '../proxy/upstream-path';

const PREFIX = '/api/market';

/**
 * `/api/market/*` → market-data. Known routes are declared one by one so that metrics and traces carry
 * their templates; the catch-all forwards the rest and lets market-data answer 404.
 */
@Controller('api/market')
export class MarketController {
  constructor(private readonly proxy: UpstreamProxy) {}

  @Get('quotes')
  quotes(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.proxy.forward('market-data', upstreamPath(PREFIX, request.url), request, reply);
  }

  @Get('quotes/:symbol')
  quote(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.proxy.forward('market-data', upstreamPath(PREFIX, request.url), request, reply);
  }

  @All('*')
  other(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.proxy.forward('market-data', upstreamPath(PREFIX, request.url), request, reply);
  }
}
