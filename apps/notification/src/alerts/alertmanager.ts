import { z } from 'zod';
import { truncate } from '../channels/channel';
import { SMS_SEGMENT_CHARS } from '../channels/sms';

const labels = z.record(z.string(), z.string());

const alert = z
  .object({
    status: z.enum(['firing', 'resolved']),
    labels: labels.refine((value) => typeof value.alertname === 'string' && value.alertname !== '', 'labels.alertname is required'),
    annotations: labels.default({}),
    startsAt: z.string(),
    endsAt: z.string().optional(),
    generatorURL: z.string().optional(),
    fingerprint: z.string().max(200).optional(),
  })
  .passthrough();

/** Alertmanager's webhook body, version 4. Unknown extra fields (groupKey, truncatedAlerts) are allowed. */
export const alertmanagerWebhook = z
  .object({
    version: z.literal('4'),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string(),
    groupLabels: labels,
    commonLabels: labels,
    commonAnnotations: labels,
    externalURL: z.string(),
    alerts: z.array(alert).max(1000),
  })
  .passthrough();

export type AlertmanagerWebhook = z.infer<typeof alertmanagerWebhook>;
export type Alert = AlertmanagerWebhook['alerts'][number];

/**
 * `[FIRING] <alertname> service=<service> severity=<severity>: <summary> <runbook_url>`, one SMS segment
 * at most. The runbook link is never cut (a cut link is useless on a phone): the summary gives way.
 */
export function pageText(alert: Alert): string {
  const service = alert.labels.service ?? alert.labels.job ?? 'unknown';
  const severity = alert.labels.severity ?? 'none';
  const summary = (alert.annotations.summary ?? alert.annotations.description ?? '').replace(/\s+/g, ' ').trim();
  const head = `[${alert.status.toUpperCase()}] ${alert.labels.alertname} service=${service} severity=${severity}`;
  const runbook = alert.annotations.runbook_url ? ` ${alert.annotations.runbook_url}` : '';
  const room = SMS_SEGMENT_CHARS - head.length - runbook.length - 2;
  if (!summary || room < 8) return truncate(`${head}${runbook}`, SMS_SEGMENT_CHARS);
  return `${head}: ${truncate(summary, room)}${runbook}`;
}
