import { USER_ID_HEADER, USER_ROLE_HEADER } from '@ai-finance/contracts';
import { RequestContext, requestContextOf, toErrorBody, type ServiceLogger } from '@ai-finance/observability';
import { ForbiddenException, HttpException, HttpStatus, UnauthorizedException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessTokenVerifier } from '../auth/access-token-verifier';
import type { GatewayMetrics, GatewaySecurityEventType } from '../metrics';
import type { UpstreamProxy } from '../proxy/upstream-proxy';
import type { LimitVerdict, RateLimits } from '../security/rate-limits';
import { ROUTES, upstreamPathFor, type GatewayRoute } from './route-table';

const TOKEN_PROBLEMS = {
  missing: 'a bearer access token is required',
  malformed: 'the Authorization header must be "Bearer <access token>"',
  expired: 'the access token has expired; refresh it',
  invalid: 'the access token is not valid',
} as const;

/**
 * Registers every route of the table on Fastify. Each request passes, in this order: the per-IP limit
 * (before any work), the credential-endpoint limit, token verification, the operator check, the
 * per-user limit, and then the upstream.
 */
export class GatewayRouter {
  constructor(
    private readonly proxy: UpstreamProxy,
    private readonly verifier: AccessTokenVerifier,
    private readonly limits: RateLimits,
    private readonly metrics: GatewayMetrics,
    private readonly logger: ServiceLogger,
  ) {}

  register(fastify: FastifyInstance): void {
    for (const route of ROUTES) {
      fastify.route({ method: route.method, url: route.path, handler: (request, reply) => this.handle(route, request, reply) });
    }
  }

  private async handle(route: GatewayRoute, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    try {
      await this.enforce(await this.limits.consume('ip', request.ip), request, reply);
      if (route.credentialEndpoint) await this.enforce(await this.limits.consume('credentials', request.ip), request, reply);

      const identity: Record<string, string> = {};
      if (route.access !== 'public') {
        const verdict = this.verifier.verify(request.headers.authorization);
        if (!verdict.ok) {
          // A missing token is its own type: mostly clients and scanners probing, unlike a forged or stale token.
          if (verdict.reason === 'missing') {
            this.securityEvent('missing_token', request, { reason: verdict.reason });
          } else {
            this.securityEvent('invalid_token', request, { reason: verdict.reason });
            this.metrics.offenders.record('invalid_token', request.ip);
          }
          reply.header('www-authenticate', 'Bearer');
          throw new UnauthorizedException(TOKEN_PROBLEMS[verdict.reason]);
        }
        RequestContext.setUserId(verdict.claims.sub);
        if (route.access === 'operator' && verdict.claims.role !== 'operator') {
          this.securityEvent('forbidden', request, { user_id: verdict.claims.sub, feature: route.feature });
          throw new ForbiddenException('this endpoint is for operators');
        }
        await this.enforce(await this.limits.consume('user', verdict.claims.sub), request, reply);
        identity[USER_ID_HEADER] = verdict.claims.sub;
        identity[USER_ROLE_HEADER] = verdict.claims.role;
      }

      const upstreamPath = upstreamPathFor(route, request.params as Record<string, string>, request.url);
      this.metrics.featureUsage.inc({ feature: route.feature });
      const answered = await this.proxy.forward(route.upstream, upstreamPath, request, reply, identity);
      if (route.loginEndpoint && reply.statusCode === HttpStatus.UNAUTHORIZED) this.metrics.offenders.record('auth_failure', request.ip);
      return answered;
    } catch (error) {
      const body = toErrorBody(error instanceof HttpException ? error : new HttpException('the gateway failed to handle the request', 500), requestContextOf(request)?.requestId);
      if (!(error instanceof HttpException)) this.logger.error({ log_type: 'error', error, route: route.path }, 'gateway route failed');
      return reply.status(body.statusCode).send(body);
    }
  }

  private async enforce(verdict: LimitVerdict, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (verdict.allowed) return;
    reply.header('retry-after', String(verdict.retryAfterSeconds));
    this.metrics.securityEvents.inc({ type: 'rate_limited' });
    this.metrics.offenders.record('rate_limited', request.ip);
    if (verdict.firstRejection) this.securityEvent('rate_limited', request, { limit: verdict.limit }, false);
    throw new HttpException(`rate limit "${verdict.limit}" exceeded; retry after ${verdict.retryAfterSeconds} s`, HttpStatus.TOO_MANY_REQUESTS);
  }

  /** Counts and logs a security event with the client address (rate limits count every refusal separately). */
  private securityEvent(type: GatewaySecurityEventType, request: FastifyRequest, fields: Record<string, unknown>, count = true): void {
    if (count) this.metrics.securityEvents.inc({ type });
    this.logger.warn(
      { log_type: 'security_event', event_type: type, ip_address: request.ip, method: request.method, path: request.url.split('?')[0], ...fields },
      `security event: ${type}`,
    );
  }
}
