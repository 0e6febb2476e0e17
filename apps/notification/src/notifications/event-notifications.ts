import { EVENTS, type PaymentFailed, type PaymentSucceeded, type UserLocked, type UserRegistered } from '@ai-finance/contracts';
import type { Transaction } from '@ai-finance/database';
import type { ConsumeMessage } from 'amqplib';
import { z } from 'zod';
import { truncate } from '../channels/channel';
import { SMS_SEGMENT_CHARS } from '../channels/sms';
import { E164 } from '../config';
import type { NewNotification, NotificationQueue } from './notification-queue';

export const NOTIFICATION_EVENT_KEYS = [EVENTS.userRegistered, EVENTS.userLocked, EVENTS.paymentSucceeded, EVENTS.paymentFailed];

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 time');
const money = z.string().regex(/^\d{1,12}(\.\d{1,8})?$/, 'must be a decimal string');

const userRegistered = z.object({
  userId: z.string().uuid(),
  email: z.string().email(),
  phone: z.string().regex(E164).optional(),
  registeredAt: isoTime,
});
const userLocked = z.object({
  userId: z.string().uuid(),
  email: z.string().email(),
  ipAddress: z.string().min(1).max(64),
  failedAttempts: z.number().int().nonnegative(),
  lockedUntil: isoTime,
});
const paymentSucceeded = z.object({
  paymentId: z.string().min(1).max(100),
  userId: z.string().uuid(),
  amount: money,
  currency: z.string().regex(/^[A-Z]{3}$/),
  method: z.string().min(1).max(40),
  provider: z.string().max(60).optional(),
  plan: z.string().min(1).max(60),
  occurredAt: isoTime,
});
const paymentFailed = z.object({
  paymentId: z.string().min(1).max(100),
  userId: z.string().uuid(),
  amount: money,
  currency: z.string().regex(/^[A-Z]{3}$/),
  method: z.string().min(1).max(40),
  reason: z.string().max(500),
  occurredAt: isoTime,
});

const SIGNATURE = '\n\n-- AI Finance';
const UNKNOWN_RECIPIENT = 'unknown recipient: no user.registered event was received for this user';

interface Recipient {
  email: string;
  phone: string | null;
}

/**
 * Turns the business events notification consumes into pending notifications, in the consumer's
 * transaction (so an event's notifications exist exactly once). Throws on a malformed payload.
 */
export class EventNotifications {
  constructor(private readonly queue: NotificationQueue) {}

  async handle(payload: unknown, tx: Transaction, message: ConsumeMessage): Promise<void> {
    const sourceEventId = String(message.properties.messageId);
    switch (message.fields.routingKey) {
      case EVENTS.userRegistered:
        return this.userRegistered(userRegistered.parse(payload), tx, sourceEventId);
      case EVENTS.userLocked:
        return this.userLocked(userLocked.parse(payload), tx, sourceEventId);
      case EVENTS.paymentSucceeded:
        return this.paymentSucceeded(paymentSucceeded.parse(payload) as PaymentSucceeded, tx, sourceEventId);
      case EVENTS.paymentFailed:
        return this.paymentFailed(paymentFailed.parse(payload) as PaymentFailed, tx, sourceEventId);
      default:
        throw new Error(`notification does not handle ${message.fields.routingKey}`);
    }
  }

  private async userRegistered(event: UserRegistered, tx: Transaction, sourceEventId: string): Promise<void> {
    await tx.query(
      `INSERT INTO recipients (user_id, email, phone) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, phone = EXCLUDED.phone, updated_at = now()`,
      [event.userId, event.email, event.phone ?? null],
    );
    await this.queue.enqueue(tx, {
      userId: event.userId,
      channel: 'email',
      recipient: event.email,
      subject: 'Welcome to AI Finance',
      body: `Hello,\n\nwelcome to AI Finance! Your account for ${event.email} is ready: you can now fund it, follow the markets and trade.${SIGNATURE}`,
      sourceEventId,
    });
  }

  private async paymentSucceeded(event: PaymentSucceeded, tx: Transaction, sourceEventId: string): Promise<void> {
    await this.toUser(tx, event.userId, sourceEventId, {
      subject: `Your AI Finance receipt: ${event.amount} ${event.currency}`,
      body:
        `Thank you for your payment.\n\n` +
        `Amount: ${event.amount} ${event.currency}\nPlan: ${event.plan}\nPayment method: ${event.method}\n` +
        `Payment id: ${event.paymentId}\nDate: ${event.occurredAt}${SIGNATURE}`,
    });
  }

  private async paymentFailed(event: PaymentFailed, tx: Transaction, sourceEventId: string): Promise<void> {
    await this.toUser(tx, event.userId, sourceEventId, {
      subject: `Your AI Finance payment of ${event.amount} ${event.currency} failed`,
      body:
        `We could not take your payment of ${event.amount} ${event.currency}.\n\n` +
        `Reason: ${event.reason}\nPayment method: ${event.method}\nPayment id: ${event.paymentId}\nDate: ${event.occurredAt}\n\n` +
        `Please check your payment details and try again.${SIGNATURE}`,
    });
  }

  private async userLocked(event: UserLocked, tx: Transaction, sourceEventId: string): Promise<void> {
    const recipient = await this.recipientOf(tx, event.userId);
    await this.queue.enqueue(tx, {
      userId: event.userId,
      channel: 'email',
      recipient: event.email,
      subject: 'Your AI Finance account was locked',
      body:
        `Your account was locked after ${event.failedAttempts} failed sign-in attempts (last from ${event.ipAddress}).\n\n` +
        `It unlocks at ${event.lockedUntil}. If this was not you, reset your password and contact support.${SIGNATURE}`,
      sourceEventId,
    });
    if (recipient?.phone) {
      await this.queue.enqueue(tx, {
        userId: event.userId,
        channel: 'sms',
        recipient: recipient.phone,
        subject: 'Account locked',
        body: truncate(
          `AI Finance: your account was locked after ${event.failedAttempts} failed sign-in attempts. It unlocks at ${event.lockedUntil}. Not you? Contact support.`,
          SMS_SEGMENT_CHARS,
        ),
        sourceEventId,
      });
    }
    await this.queue.enqueue(tx, {
      userId: null, // an operational message for the team, not one of the user's notifications
      channel: 'slack',
      recipient: null,
      subject: 'User account locked',
      body: `:lock: User \`${event.userId}\` was locked after ${event.failedAttempts} failed sign-in attempts from ${event.ipAddress}; locked until ${event.lockedUntil}.`,
      sourceEventId,
    });
  }

  /** An email to the user's registered address, or a skipped record when the user is unknown here. */
  private async toUser(tx: Transaction, userId: string, sourceEventId: string, content: Pick<NewNotification, 'subject' | 'body'>): Promise<void> {
    const recipient = await this.recipientOf(tx, userId);
    const notification: NewNotification = { userId, channel: 'email', recipient: recipient?.email ?? null, sourceEventId, ...content };
    if (!recipient) await this.queue.recordSkipped(tx, notification, UNKNOWN_RECIPIENT);
    else await this.queue.enqueue(tx, notification);
  }

  private async recipientOf(tx: Transaction, userId: string): Promise<Recipient | undefined> {
    const { rows } = await tx.query<Recipient>('SELECT email, phone FROM recipients WHERE user_id = $1', [userId]);
    return rows[0];
  }
}
