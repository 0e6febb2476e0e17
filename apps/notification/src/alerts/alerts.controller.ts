import { BearerToken, SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { BadRequestException, Body, Controller, Headers, HttpCode, Inject, Ip, Post, UnauthorizedException } from '@nestjs/common';
import { NOTIFICATION_CONFIG, type NotificationConfig } from '../config';
import { NotificationQueue, type NewNotification } from '../notifications/notification-queue';
import { alertmanagerWebhook, pageText } from './alertmanager';

/**
 * Alertmanager's webhook receiver: every alert of a notification becomes an SMS page to each on-call
 * number (ONCALL_SMS_NUMBERS). Called by Alertmanager directly, not through api-gateway.
 */
@Controller('alerts')
export class AlertsController {
  private readonly expectedToken: BearerToken | undefined;

  constructor(
    @Inject(NOTIFICATION_CONFIG) private readonly config: NotificationConfig,
    @Inject(NotificationQueue) private readonly queue: NotificationQueue,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {
    this.expectedToken = config.webhookToken ? new BearerToken(config.webhookToken) : undefined;
  }

  @Post('alertmanager')
  @HttpCode(202)
  async alertmanager(@Headers('authorization') authorization: string | undefined, @Ip() ip: string, @Body() body: unknown): Promise<{ queued: number; alerts: number }> {
    this.authorize(authorization, ip);
    const parsed = alertmanagerWebhook.safeParse(body);
    if (!parsed.success) {
      const details = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
      throw new BadRequestException({ message: details, error: 'Bad Request' });
    }
    const webhook = parsed.data;
    const pages: NewNotification[] = [];
    for (const alert of webhook.alerts) {
      const text = pageText(alert);
      for (const number of this.config.oncallSmsNumbers) {
        pages.push({
          userId: null,
          channel: 'sms',
          recipient: number,
          subject: `[${alert.status.toUpperCase()}] ${alert.labels.alertname}`,
          body: text,
          sourceEventId: alert.fingerprint ? `alertmanager:${alert.fingerprint}:${alert.status}` : null,
        });
      }
    }
    await this.queue.enqueueAll('queue_alert_pages', pages);
    const fields = { receiver: webhook.receiver, status: webhook.status, alerts: webhook.alerts.length, queued: pages.length };
    if (this.config.oncallSmsNumbers.length === 0 && webhook.alerts.length > 0) {
      this.logger.warn(fields, 'Alertmanager alerts received but ONCALL_SMS_NUMBERS is empty: nobody is paged');
    } else {
      this.logger.info(fields, `queued ${pages.length} on-call SMS page(s) for ${webhook.alerts.length} alert(s)`);
    }
    return { queued: pages.length, alerts: webhook.alerts.length };
  }

  private authorize(authorization: string | undefined, ip: string): void {
    if (!this.expectedToken || this.expectedToken.accepts(authorization)) return;
    this.logger.warn(
      { log_type: 'security_event', event_type: 'webhook_unauthorized', ip_address: ip, status: authorization ? 'wrong_token' : 'missing_token' },
      'Alertmanager webhook call refused: missing or wrong bearer token',
    );
    throw new UnauthorizedException('A valid bearer token is required (Authorization: Bearer <NOTIFICATION_WEBHOOK_TOKEN>)');
  }
}
