import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ObservabilityConfig } from '../config/observability-config';
import { OBSERVABILITY_CONFIG } from '../observability.tokens';
import { BearerToken } from '../http/bearer-token';
import { FAULT_INJECTION_SETTINGS, type FaultInjectionSettings } from './fault-injection-settings';

/**
 * Every /admin/faults route: 403 while fault injection is disabled (whatever the caller sends), then 401
 * unless the caller presents FAULT_INJECTION_TOKEN as a bearer token.
 */
@Injectable()
export class FaultAccessGuard implements CanActivate {
  private readonly token: BearerToken | undefined;

  constructor(
    @Inject(FAULT_INJECTION_SETTINGS) settings: FaultInjectionSettings,
    @Inject(OBSERVABILITY_CONFIG) private readonly config: ObservabilityConfig,
  ) {
    this.token = settings.enabled && settings.token !== undefined ? new BearerToken(settings.token) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.token) {
      throw new ForbiddenException(`fault injection is disabled on ${this.config.serviceName} (FAULT_INJECTION_ENABLED is not true)`);
    }
    const http = context.switchToHttp();
    if (!this.token.accepts(http.getRequest<FastifyRequest>().headers.authorization)) {
      http.getResponse<FastifyReply>().header('www-authenticate', 'Bearer realm="fault-injection"');
      throw new UnauthorizedException('missing or wrong bearer token: send Authorization: Bearer <FAULT_INJECTION_TOKEN>');
    }
    return true;
  }
}
