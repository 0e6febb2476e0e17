import type { ServiceLogger } from '@ai-finance/observability';
import type { SecurityEventType, UserManagementMetrics } from './metrics';

export interface SecurityEventFields {
  ip_address: string;
  email?: string;
  user_id?: string;
  reason?: string;
  [field: string]: string | number | undefined;
}

/** One place that counts a security event and writes its `security_event` log line, so the two never disagree. */
export class SecurityEvents {
  constructor(
    private readonly metrics: UserManagementMetrics,
    private readonly logger: ServiceLogger,
  ) {}

  record(type: SecurityEventType, fields: SecurityEventFields, message: string): void {
    this.metrics.securityEvents.inc({ type });
    this.logger.warn({ log_type: 'security_event', event_type: type, ...fields }, message);
  }
}
