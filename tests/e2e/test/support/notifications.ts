import type { SinkMessage } from '@ai-finance/stack-tools/dist/alert-sink';

/**
 * One notification as the on-call person receives it, read back from what the stand-ins got: the channel
 * (`slack #alerts-critical`, `email oncall@…`, `sms +1555…`), and what the text says about the alert.
 */
export interface Notification {
  receivedAt: number;
  channel: string;
  status: 'firing' | 'resolved';
  alertname: string;
  service?: string;
  severity?: string;
  runbookUrls: string[];
  text: string;
}

const RUNBOOK_URL = /https?:\/\/[^\s<>|\]]+\/docs\/runbooks\/[A-Za-z]+\.md/g;
const runbooksIn = (text: string): string[] => [...new Set(text.match(RUNBOOK_URL) ?? [])];
const statusOf = (word: string): 'firing' | 'resolved' => (word.toUpperCase() === 'RESOLVED' ? 'resolved' : 'firing');

interface SlackPayload {
  channel?: string;
  attachments?: Array<{ title?: string; text?: string }>;
}

/** The channel-specific message turned into a Notification; undefined for what is not an alert (the watchdog). */
export function notificationOf(message: SinkMessage): Notification | undefined {
  const receivedAt = Date.parse(message.receivedAt);
  switch (message.channel) {
    case 'slack': {
      const payload = message.content as SlackPayload;
      const title = payload.attachments?.[0]?.title ?? '';
      const text = payload.attachments?.map((attachment) => `${attachment.title ?? ''}\n${attachment.text ?? ''}`).join('\n') ?? '';
      // [FIRING:1] HighErrorRate on payment (critical)
      const match = /^\[(FIRING|RESOLVED)(?::\d+)?\] (\S+)(?: on (\S+))? \((\w*)\)/.exec(title);
      if (!match) return undefined;
      return { receivedAt, channel: `slack ${message.to}`, status: statusOf(match[1]), alertname: match[2], service: match[3], severity: match[4], runbookUrls: runbooksIn(text), text };
    }
    case 'email': {
      const { subject, text } = message.content as { subject: string; text: string };
      // [FIRING] critical: HighErrorRate on payment
      const match = /^\[(FIRING|RESOLVED)\] (\w*): (\S+)(?: on (\S+))?/.exec(subject);
      if (!match) return undefined;
      return { receivedAt, channel: `email ${message.to}`, status: statusOf(match[1]), alertname: match[3], service: match[4], severity: match[2], runbookUrls: runbooksIn(text), text: `${subject}\n${text}` };
    }
    case 'sms': {
      const text = String(message.content);
      // [FIRING] HighErrorRate service=payment severity=critical: summary https://…/HighErrorRate.md
      const match = /^\[(FIRING|RESOLVED)\] (\S+) service=(\S+) severity=(\S+?):?(?:\s|$)/.exec(text);
      if (!match) return undefined;
      return { receivedAt, channel: `sms ${message.to}`, status: statusOf(match[1]), alertname: match[2], service: match[3], severity: match[4], runbookUrls: runbooksIn(text), text };
    }
    default:
      return undefined;
  }
}

/** Everything the alert sink holds now, as it received it. */
export async function receivedMessages(sinkUrl: string): Promise<SinkMessage[]> {
  const response = await fetch(`${sinkUrl}/messages`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${sinkUrl}/messages answered ${response.status}`);
  return (await response.json()) as SinkMessage[];
}

/** What the alert sink holds now, as notifications. */
export async function receivedNotifications(sinkUrl: string): Promise<Notification[]> {
  return (await receivedMessages(sinkUrl)).flatMap((message) => notificationOf(message) ?? []);
}
