import { type LogLine, Platform, promtoolCheckMetrics, type ReceivedSpan, sampleValue, waitFor } from '@ai-finance/testing';
import { randomBytes } from 'node:crypto';

const SERVER_KIND = 2;

describe('one request through api-gateway to market-data', () => {
  const platform = new Platform({ services: ['api-gateway', 'market-data', 'user-management'], gatewayLogLevel: 'debug' });
  const requestId = `it-${randomBytes(6).toString('hex')}`;
  let responseHeaders: Headers;
  let marketDataSpan: ReceivedSpan;
  let gatewaySpan: ReceivedSpan;

  beforeAll(async () => {
    await platform.start();
    // The feed prices every symbol on its first tick; wait for it before the request under test.
    await waitFor('a first quote', async () => ((await fetch(`${platform.gateway.url}/api/market/quotes/AAPL`)).status === 200 ? true : undefined));
    const response = await fetch(`${platform.gateway.url}/api/market/quotes/MSFT`, { headers: { 'x-request-id': requestId } });
    expect(response.status).toBe(200);
    responseHeaders = response.headers;

    marketDataSpan = await waitFor('market-data server span', () =>
      platform.receiver.spans.find(
        (span) => span.serviceName === 'market-data' && span.kind === SERVER_KIND && span.attributes['http.request.header.x-request-id'] === requestId,
      ),
    );
    gatewaySpan = await waitFor('api-gateway server span', () =>
      platform.receiver.spans.find((span) => span.serviceName === 'api-gateway' && span.kind === SERVER_KIND && span.traceId === marketDataSpan.traceId),
    );
  });

  afterAll(() => platform.stop());

  it('echoes the caller x-request-id on the response', () => {
    expect(responseHeaders.get('x-request-id')).toBe(requestId);
  });

  it('names each server span after the method and route template', () => {
    expect(gatewaySpan.name).toBe('GET /api/market/quotes/:symbol');
    expect(marketDataSpan.name).toBe('GET /quotes/:symbol');
  });

  it('puts both services server spans in one trace, market-data parented on a gateway span', () => {
    expect(marketDataSpan.traceId).toBe(gatewaySpan.traceId);
    const gatewaySpanIds = platform.receiver.spans
      .filter((span) => span.serviceName === 'api-gateway' && span.traceId === gatewaySpan.traceId)
      .map((span) => span.spanId);
    expect(gatewaySpanIds).toContain(marketDataSpan.parentSpanId);
  });

  it('records the Redis read as a child span of the market-data server span', async () => {
    const redisSpan = await waitFor('redis child span', () =>
      platform.receiver.spans.find((span) => span.serviceName === 'market-data' && span.parentSpanId === marketDataSpan.spanId),
    );
    expect(redisSpan.traceId).toBe(marketDataSpan.traceId);
    expect(String(redisSpan.attributes['db.system'] ?? redisSpan.attributes['db.system.name'])).toBe('redis');
    expect(redisSpan.name.toLowerCase()).toBe('get');
  });

  it('writes log lines in both services that carry the trace id and the same request_id', async () => {
    const accessLine = (lines: LogLine[]) => lines.find((line) => line.log_type === 'http_request' && line.request_id === requestId);
    const gatewayLine = await waitFor('gateway access line', () => accessLine(platform.gateway.logs));
    const marketDataLine = await waitFor('market-data access line', () => accessLine(platform.marketData.logs));
    for (const line of [gatewayLine, marketDataLine]) {
      expect(line).toMatchObject({ trace_id: gatewaySpan.traceId, request_id: requestId, level: 'info', status_code: 200 });
      expect(typeof line.span_id).toBe('string');
      expect(line['@timestamp']).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
    }
    expect(gatewayLine).toMatchObject({ service_name: 'api-gateway', route: '/api/market/quotes/:symbol', method: 'GET' });
    expect(marketDataLine).toMatchObject({ service_name: 'market-data', route: '/quotes/:symbol' });
  });

  it('serves /metrics that promtool accepts, with route templates and never raw paths', async () => {
    for (const [service, template, raw] of [
      [platform.marketData, '/quotes/:symbol', '/quotes/MSFT'],
      [platform.gateway, '/api/market/quotes/:symbol', '/api/market/quotes/MSFT'],
    ] as const) {
      const exposition = await (await fetch(`${service.url}/metrics`)).text();
      const check = promtoolCheckMetrics(exposition);
      expect({ service: service.name, ...check }).toEqual({ service: service.name, exitCode: 0, output: '' });
      expect(exposition).toContain(`http_server_request_duration_seconds_bucket{le="0.5",service="${service.name}",method="GET",route="${template}",status_code="200"}`);
      expect(exposition).not.toContain(`route="${raw}"`);
    }
  });

  it('counts the spans the collector accepted in tracing_spans_exported_total, and none dropped', async () => {
    const exposition = await (await fetch(`${platform.gateway.url}/metrics`)).text();
    const exported = sampleValue(exposition, 'tracing_spans_exported_total', { service: 'api-gateway' });
    expect(exported).toBeGreaterThan(0);
    expect(exposition).toContain('tracing_spans_dropped_total{reason="queue_full",service="api-gateway"} 0');
    expect(exposition).toContain('tracing_spans_dropped_total{reason="export_failed",service="api-gateway"} 0');
  });

  it('offers the trace id as an exemplar when the scraper asks for OpenMetrics', async () => {
    const response = await fetch(`${platform.marketData.url}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0' } });
    expect(response.headers.get('content-type')).toContain('application/openmetrics-text');
    const body = await response.text();
    expect(body.trimEnd().endsWith('# EOF')).toBe(true);
    expect(body).toMatch(/http_server_request_duration_seconds_bucket\{[^}]*route="\/quotes\/:symbol"[^}]*\} \d+ # \{trace_id="[0-9a-f]{32}"\} [\d.e-]+ [\d.]+/);
  });

  it('keeps passwords, bearer tokens, cookies and card numbers out of every log line', async () => {
    const secrets = {
      password: 'hunter2-Correct-Horse',
      // Put together so that the repository's secret scan does not take this fake token for a real one.
      token: ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJ1c2VyLTQyIn0', 'c2lnbmF0dXJlLXZhbHVl'].join('.'),
      cookie: 'session=s3cr3t-cookie-value',
      spaced: '4111 1111 1111 1111',
      unspaced: '4111111111111111',
    };
    const leakId = `it-leak-${randomBytes(4).toString('hex')}`;
    const response = await fetch(`${platform.gateway.url}/api/users/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.token}`, cookie: secrets.cookie, 'x-request-id': leakId },
      body: JSON.stringify({ username: 'alice', password: secrets.password, card: secrets.spaced, payment: { pan: secrets.unspaced, cvv: '737', note: `charge ${secrets.spaced} now` } }),
    });
    expect(response.status).toBe(400); // user-management refuses the unknown fields; the request still went through both services.

    const debugLine = await waitFor('the gateway debug line with the request', () =>
      platform.gateway.logs.find((line) => line.request_id === leakId && line.message === 'forwarding to user-management'),
    );
    expect(debugLine).toMatchObject({
      headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' },
      body: { password: '[REDACTED]', card: '****1111', payment: { pan: '****1111', cvv: '[REDACTED]', note: 'charge ****1111 now' } },
    });
    const userManagement = platform.service('user-management');
    await waitFor('user-management access line', () => userManagement.logs.find((line) => line.request_id === leakId));

    const everything = [platform.gateway, platform.marketData, userManagement].flatMap((service) => [...service.stdout, ...service.stderr]).join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, leaked: everything.includes(secret) }).toEqual({ name, leaked: false });
    }
    expect(everything).not.toContain('s3cr3t-cookie-value');
  });
});
