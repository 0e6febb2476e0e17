import { DEFAULT_HTTP_CLIENT_OPTIONS, TracedHttpClient, type ServiceMetrics } from '@ai-finance/observability';
import { DeliveryError, truncate, type ChannelSender, type Delivery } from './channel';

/** Posts operational messages to a Slack incoming webhook: `{text, blocks}`. */
export class SlackSender implements ChannelSender {
  readonly channel = 'slack' as const;
  private readonly client: TracedHttpClient;
  private readonly path: string;

  constructor(webhookUrl: string, timeoutMs: number, metrics: ServiceMetrics) {
    const url = new URL(webhookUrl);
    this.path = `${url.pathname}${url.search}`;
    this.client = new TracedHttpClient(
      {
        ...DEFAULT_HTTP_CLIENT_OPTIONS,
        target: 'slack',
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
    const payload = {
      text: `${delivery.subject}: ${delivery.body}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: truncate(delivery.subject, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: delivery.body.slice(0, 3000) } },
      ],
    };
    const response = await this.client.request({
      method: 'POST',
      path: this.path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new DeliveryError(`Slack webhook answered ${response.statusCode}: ${truncate(text, 200)}`);
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
