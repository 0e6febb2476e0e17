import type { NotificationChannel } from '@ai-finance/contracts';
import type { ServiceMetrics } from '@ai-finance/observability';
import type { NotificationConfig } from '../config';
import type { ChannelSender } from './channel';
import { EmailSender } from './email';
import { SlackSender } from './slack';
import { SmsSender } from './sms';

/** The configured channels; a channel without configuration has no sender and its notifications are skipped. */
export class Channels {
  private readonly senders = new Map<NotificationChannel, ChannelSender>();

  constructor(config: NotificationConfig, metrics: ServiceMetrics) {
    if (config.slack) this.senders.set('slack', new SlackSender(config.slack.webhookUrl, config.sendTimeoutMs, metrics));
    if (config.email) this.senders.set('email', new EmailSender(config.email, config.sendTimeoutMs));
    if (config.sms) this.senders.set('sms', new SmsSender(config.sms, config.sendTimeoutMs, metrics));
  }

  senderFor(channel: NotificationChannel): ChannelSender | undefined {
    return this.senders.get(channel);
  }

  configured(): NotificationChannel[] {
    return [...this.senders.keys()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].map((sender) => sender.close().catch(() => undefined)));
  }
}

/** Why a channel's notifications are skipped: the variable to set. */
export const NOT_CONFIGURED: Record<NotificationChannel, string> = {
  slack: 'channel slack is not configured (SLACK_WEBHOOK_URL is not set)',
  email: 'channel email is not configured (SMTP_URL is not set)',
  sms: 'channel sms is not configured (SMS_API_URL is not set)',
};
