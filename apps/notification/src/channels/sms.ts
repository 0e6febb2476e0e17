import { DEFAULT_HTTP_CLIENT_OPTIONS, TracedHttpClient, type ServiceMetrics } from '@ai-finance/observability';
import { DeliveryError, truncate, type ChannelSender, type Delivery } from './channel';

export interface SmsApiConfig {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  from: string;
}

/** One GSM-7 SMS segment. */
export const SMS_SEGMENT_CHARS = 160;

/**
 * Sends SMS through a Twilio-compatible API: a form POST to
 * `/2010-04-01/Accounts/{sid}/Messages.json` with HTTP Basic auth; success is 2xx with a `sid`.
 * The auth token only ever goes into the Authorization header, never into a message or log.
 */
export class SmsSender implements ChannelSender {
  readonly channel = 'sms' as const;
  private readonly client: TracedHttpClient;
  private readonly path: string;
  private readonly authorization: string;

  constructor(
    private readonly config: SmsApiConfig,
    timeoutMs: number,
    metrics: ServiceMetrics,
  ) {
    const url = new URL(config.apiUrl);
    this.path = `${url.pathname.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
    this.client = new TracedHttpClient(
      {
        ...DEFAULT_HTTP_CLIENT_OPTIONS,
        target: 'sms-api',
        baseUrl: url.origin,
        connections: 4,
        connectTimeoutMs: Math.min(timeoutMs, DEFAULT_HTTP_CLIENT_OPTIONS.connectTimeoutMs),
        headersTimeoutMs: timeoutMs,
        bodyTimeoutMs: timeoutMs,
      },
      metrics,
    );
  }

  async send(delivery: Delivery): Promise<void> {
    if (!delivery.recipient) throw new DeliveryError('an SMS needs a recipient number');
    const form = new URLSearchParams({ To: delivery.recipient, From: this.config.from, Body: delivery.body });
    const response = await this.client.request({
      method: 'POST',
      path: this.path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: this.authorization, accept: 'application/json' },
      body: form.toString(),
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new DeliveryError(`SMS API answered ${response.statusCode}: ${truncate(errorMessageOf(text), 200)}`);
    }
    let sid: unknown;
    try {
      sid = (JSON.parse(text) as { sid?: unknown }).sid;
    } catch {
      sid = undefined;
    }
    if (typeof sid !== 'string' || sid === '') throw new DeliveryError(`SMS API answered ${response.statusCode} without a message sid`);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Twilio's error body is `{code, message, more_info, status}`; fall back to the raw text. */
function errorMessageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; code?: unknown };
    if (typeof parsed.message === 'string') return parsed.code !== undefined ? `${parsed.message} (code ${String(parsed.code)})` : parsed.message;
  } catch {
    // not JSON
  }
  return text;
}
