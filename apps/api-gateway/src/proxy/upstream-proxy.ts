import { ServiceMetrics, TracedHttpClient, type ServiceLogger } from '@ai-finance/observability';
import { BadGatewayException, GatewayTimeoutException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from 'undici';
import { USER_ID_HEADER, USER_ROLE_HEADER } from '@ai-finance/contracts';
import type { GatewayConfig, UpstreamName } from '../config';

// Headers that describe one hop, not the message (RFC 9110 7.6.1), plus those we set ourselves.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // An expectation is met or refused by the hop that receives it (RFC 9110 10.1.1): Node's server has
  // already answered "100 Continue" to the client, and undici refuses to send the header at all.
  'expect',
  'host',
  'content-length',
  'traceparent',
  'tracestate',
  // The caller's value may have been rejected; injectTraceHeaders writes the request's own id.
  'x-request-id',
  // Identity is what the gateway verified, never what the caller claims; the token stays here.
  USER_ID_HEADER,
  USER_ROLE_HEADER,
  'authorization',
  'cookie',
  'x-forwarded-for',
  'x-forwarded-proto',
]);

/**
 * The one way the gateway forwards a request: pooled keep-alive connections per upstream, bounded
 * timeouts, trace and request-id headers passed on, and upstream failures turned into 502 or 504
 * with a body that says which upstream failed and how.
 */
export class UpstreamProxy {
  private readonly clients: Map<UpstreamName, TracedHttpClient>;
  private readonly failures;

  constructor(
    private readonly config: GatewayConfig,
    metrics: ServiceMetrics,
    private readonly logger: ServiceLogger,
  ) {
    this.clients = new Map(
      (Object.entries(config.upstreams) as Array<[UpstreamName, string]>).map(([name, baseUrl]) => [
        name,
        new TracedHttpClient(
          {
            target: name,
            baseUrl,
            connections: config.connections,
            connectTimeoutMs: config.connectTimeoutMs,
            headersTimeoutMs: config.timeoutMs,
            bodyTimeoutMs: config.timeoutMs,
            keepAliveTimeoutMs: 30_000,
          },
          metrics,
        ),
      ]),
    );
    this.failures = metrics.counter({
      name: 'gateway_upstream_failures_total',
      help: 'Requests the gateway could not forward, by upstream and reason (timeout, unavailable).',
      labelNames: ['upstream', 'reason'],
    });
  }

  /**
   * Forwards the request to `upstream` at `path` (with its query string) and streams the answer back.
   * `identity` carries the headers the gateway sets after verifying the caller.
   */
  async forward(
    upstream: UpstreamName,
    path: string,
    request: FastifyRequest,
    reply: FastifyReply,
    identity: Record<string, string> = {},
  ): Promise<FastifyReply> {
    const client = this.clients.get(upstream);
    if (!client) throw new BadGatewayException(`No upstream named "${upstream}" is configured`);

    const headers = endToEndHeaders(request.headers);
    headers['x-forwarded-for'] = request.ip;
    headers['x-forwarded-proto'] = request.protocol;
    Object.assign(headers, identity);

    if (this.logger.isLevelEnabled('debug')) {
      // Whole headers and body, for debugging a route; the logger's redaction keeps secrets and card numbers out.
      this.logger.debug({ upstream, method: request.method, upstream_path: path, headers: request.headers, body: request.body }, `forwarding to ${upstream}`);
    }
    const body = encodeBody(request);
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';

    try {
      const response = await client.request({ method: request.method as 'GET', path, headers, body });
      reply.status(response.statusCode);
      for (const [name, value] of Object.entries(endToEndHeaders(response.headers))) {
        if (value !== undefined) reply.header(name, value);
      }
      return reply.send(response.body);
    } catch (error) {
      throw this.translate(upstream, error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((client) => client.close()));
  }

  private translate(upstream: UpstreamName, error: unknown): Error {
    const timedOut =
      error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError || error instanceof errors.ConnectTimeoutError;
    this.failures.inc({ upstream, reason: timedOut ? 'timeout' : 'unavailable' });
    this.logger.warn({ upstream, error }, `forwarding to ${upstream} failed`);
    if (timedOut) {
      return new GatewayTimeoutException(`${upstream} did not answer within ${this.config.timeoutMs} ms`);
    }
    const code = (error as { code?: string }).code;
    return new BadGatewayException(`${upstream} is unavailable${code ? ` (${code})` : ''}`);
  }
}

/**
 * The headers of `incoming` that belong to the message rather than to this hop: without HOP_BY_HOP and
 * without any the sender named in `Connection`, which RFC 9110 7.6.1 makes hop-by-hop as well.
 */
function endToEndHeaders(incoming: Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
  const connectionOptions = new Set(
    [incoming.connection ?? []]
      .flat()
      .flatMap((value) => value.split(','))
      .map((option) => option.trim().toLowerCase()),
  );
  // No prototype: a header named `__proto__` must not become one.
  const headers: Record<string, string | string[] | undefined> = Object.create(null);
  for (const [name, value] of Object.entries(incoming)) {
    if (!HOP_BY_HOP.has(name) && !connectionOptions.has(name)) headers[name] = value;
  }
  return headers;
}

/**
 * The parsed body as JSON again, whatever JSON value it is: a body that is a JSON string must reach the
 * upstream as that string, quoted, and not as its contents, which the upstream would parse as the body.
 * The gateway accepts only JSON bodies, and its parser bounds their nesting, so this cannot overflow.
 */
function encodeBody(request: FastifyRequest): string | Buffer | undefined {
  const body = request.body;
  if (body === undefined || request.method === 'GET' || request.method === 'HEAD') return undefined;
  return Buffer.isBuffer(body) ? body : JSON.stringify(body);
}
