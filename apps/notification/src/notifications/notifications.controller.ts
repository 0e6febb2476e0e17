import type { NotificationChannel } from '@ai-finance/contracts';
import { CallerId, OperatorId, SERVICE_LOGGER, type ServiceLogger } from '@ai-finance/observability';
import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, isEmail, Length, Max, MaxLength, Min } from 'class-validator';
import { CHANNELS } from '../channels/channel';
import { E164 } from '../config';
import { NotificationQueue, type NotificationView } from './notification-queue';

class SendNotificationBody {
  @IsIn(CHANNELS, { message: 'channel must be one of slack, email, sms' })
  channel!: NotificationChannel;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  recipient?: string;

  @IsString()
  @Length(1, 200, { message: 'subject must be 1 to 200 characters' })
  subject!: string;

  @IsString()
  @Length(1, 4000, { message: 'message must be 1 to 4000 characters' })
  message!: string;
}

class ListQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 100' })
  @Min(1, { message: 'limit must be a whole number from 1 to 100' })
  @Max(100, { message: 'limit must be a whole number from 1 to 100' })
  limit?: number;
}

@Controller('notifications')
export class NotificationsController {
  constructor(
    @Inject(NotificationQueue) private readonly queue: NotificationQueue,
    @Inject(SERVICE_LOGGER) private readonly logger: ServiceLogger,
  ) {}

  /** The caller's own notifications, newest first. */
  @Get()
  async list(@CallerId() userId: string, @Query() query: ListQuery): Promise<{ notifications: NotificationView[] }> {
    return { notifications: await this.queue.listForUser(userId, query.limit ?? 20) };
  }

  /** An operator's message on any channel; queued, delivered by the dispatcher. */
  @Post()
  @HttpCode(202)
  async send(@OperatorId() operatorId: string, @Body() body: SendNotificationBody): Promise<{ id: string; status: 'pending'; channel: NotificationChannel; recipient: string | null }> {
    const recipient = recipientFor(body.channel, body.recipient);
    const [id] = await this.queue.enqueueAll('queue_operator_notification', [{ channel: body.channel, recipient, subject: body.subject, body: body.message }]);
    this.logger.info(
      { log_type: 'user_activity', event_type: 'notification_requested', notification_id: id, channel: body.channel, operator_id: operatorId },
      `operator queued a ${body.channel} notification`,
    );
    return { id: id!, status: 'pending', channel: body.channel, recipient };
  }
}

function recipientFor(channel: NotificationChannel, recipient: string | undefined): string | null {
  const value = recipient?.trim();
  if (channel === 'slack') {
    if (value) throw new BadRequestException('recipient must not be given for slack: messages go to the configured webhook (SLACK_WEBHOOK_URL)');
    return null;
  }
  if (!value) throw new BadRequestException(`recipient is required for ${channel}`);
  if (channel === 'email' && !isEmail(value)) throw new BadRequestException('recipient must be an email address for email');
  if (channel === 'sms' && !E164.test(value)) throw new BadRequestException('recipient must be an E.164 phone number such as +15551234567 for sms');
  return value;
}
