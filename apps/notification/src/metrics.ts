import { ServiceMetrics } from '@ai-finance/observability';

/** notification's business metrics, declared in one place. Labels: channel (slack, email, sms) and status. */
export function declareNotificationMetrics(metrics: ServiceMetrics) {
  return {
    sent: metrics.counter({
      name: 'notifications_sent_total',
      help: 'Notifications that reached a final state, by channel and status (sent, failed after every attempt, skipped).',
      labelNames: ['channel', 'status'],
    }),
    deliveryDuration: metrics.histogram({
      name: 'notification_delivery_duration_seconds',
      help: 'Time of one delivery attempt to the channel (Slack webhook, SMTP server, SMS API), whatever its outcome.',
      labelNames: ['channel'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    }),
    pending: metrics.gauge({
      name: 'notifications_pending',
      help: 'Notifications queued and not yet sent, failed or skipped (including those waiting for a retry).',
    }),
  };
}

export type NotificationMetrics = ReturnType<typeof declareNotificationMetrics>;
export const NOTIFICATION_METRICS = Symbol('NOTIFICATION_METRICS');
