import nodemailer, { type Transporter } from 'nodemailer';
import { DeliveryError, type ChannelSender, type Delivery } from './channel';

export interface SmtpConfig {
  /** smtp://host:port (STARTTLS when offered) or smtps://host:port (TLS from the start); credentials may be in the URL. */
  url: string;
  from: string;
}

/** Sends email over SMTP with nodemailer, one connection per message, every step bounded by the send timeout. */
export class EmailSender implements ChannelSender {
  readonly channel = 'email' as const;
  private readonly transport: Transporter;

  constructor(
    private readonly config: SmtpConfig,
    timeoutMs: number,
  ) {
    this.transport = nodemailer.createTransport({
      url: config.url,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(delivery: Delivery): Promise<void> {
    if (!delivery.recipient) throw new DeliveryError('an email needs a recipient address');
    const info = (await this.transport.sendMail({
      from: this.config.from,
      to: delivery.recipient,
      subject: delivery.subject,
      text: delivery.body,
      headers: { 'X-Notification-Id': delivery.id },
    })) as { accepted?: unknown[]; rejected?: unknown[]; response?: string };
    if ((info.rejected?.length ?? 0) > 0 || (info.accepted?.length ?? 0) === 0) {
      throw new DeliveryError(`SMTP server did not accept ${delivery.recipient}: ${info.response ?? 'no response'}`);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
