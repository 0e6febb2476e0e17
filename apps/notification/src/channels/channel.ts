import type { NotificationChannel } from '@ai-finance/contracts';

export const CHANNELS: readonly NotificationChannel[] = ['slack', 'email', 'sms'];

/** What a channel needs to deliver one notification. */
export interface Delivery {
  id: string;
  channel: NotificationChannel;
  /** Email address or E.164 number; null for Slack (the webhook decides where it goes). */
  recipient: string | null;
  subject: string;
  body: string;
}

export interface ChannelSender {
  readonly channel: NotificationChannel;
  /** Resolves once the provider accepted the message; throws with a reason it can be retried on. */
  send(delivery: Delivery): Promise<void>;
  close(): Promise<void>;
}

/** A provider's answer that is not a success. The message never contains credentials. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

/** Rejects after `timeoutMs` if `work` has not settled by then. */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryError(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** At most `max` characters, ending in "..." when cut; whitespace runs collapse to one space. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 3).trimEnd()}...`;
}
