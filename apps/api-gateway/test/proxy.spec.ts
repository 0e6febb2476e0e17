import type { INestApplication } from '@nestjs/common';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TestEnv } from '@ai-finance/testing';
import request from 'supertest';
import { allUpstreamsAt, deleteGatewayRedisKeys, startGateway, USER, tokenFor } from './gateway-test-env';

/** One request as the fake upstream saw it. */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP server on 127.0.0.1 that plays every upstream service and records what reaches it. */
interface FakeMarketData {
  port: number;
  received: Received[];
  stop(): Promise<void>;
}

const SLOW_ANSWER_MS = 2_000;

async function startFakeMarketData(): Promise<FakeMarketData> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      const json = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...extra });
        res.end(JSON.stringify(payload));
      };

      if (path === '/quotes/SLOW') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          json(200, { slow: true });
        }, SLOW_ANSWER_MS);
        timers.add(timer);
      } else if (req.method === 'GET' && path === '/quotes/AAPL') {
        // The upstream's own request id must not replace the gateway's on the way back.
        json(200, { symbol: 'AAPL' }, { 'x-upstream': 'yes', 'x-request-id': 'set-by-upstream' });
      } else if (req.method === 'POST' && path === '/payments') {
        json(201, { echoed: body.length > 0 ? JSON.parse(body) : null });
      } else if (path === '/me' || path === '/audit/verify') {
        json(200, { ok: true });
      } else {
        json(404, { error: 'no such market-data resource', path });
      }
    });
    res.on('error', () => undefined);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  let stopped: Promise<void> | undefined;
  return {
    port,
    received,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopped;
    },
  };
}

/** A port on 127.0.0.1 that was free a moment ago and that nothing listens on any more. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

/** The gateway in-process on Fastify, listening on 127.0.0.1, configured from GATEWAY_TEST_ENV and `values`. */
async function startListeningGateway(values: Record<string, string>): Promise<INestApplication> {
  const app = await startGateway(env, values);
  await app.listen(0, '127.0.0.1');
  return app;
}

function receivedWithRequestId(upstream: FakeMarketData, requestId: string): Received[] {
  return upstream.received.filter((r) => r.headers['x-request-id'] === requestId);
}

/** Every `route` label value on the request-duration histogram's bucket lines. */
function histogramRoutes(metrics: string): Set<string> {
  const routes = new Set<string>();
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('http_server_request_duration_seconds_bucket{')) continue;
    const match = /[{,]route="([^"]*)"/.exec(line);
    if (match) routes.add(match[1]);
  }
  return routes;
}

/** The value of the gateway_upstream_failures_total series with the given labels, or undefined if absent. */
function failureCount(metrics: string, upstream: string, reason: string): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('gateway_upstream_failures_total{')) continue;
    if (!line.includes(`upstream="${upstream}"`) || !line.includes(`reason="${reason}"`)) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const env = new TestEnv();

describe('api-gateway forwarding /api/market to a real market-data server', () => {
  let upstream: FakeMarketData;
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    upstream = await startFakeMarketData();
    app = await startListeningGateway({ ...allUpstreamsAt(upstream.port), UPSTREAM_TIMEOUT_MS: '300' });
    http = request(app.getHttpServer());
  });

  afterAll(async () => {
    await app?.close();
    await upstream?.stop();
    env.restore();
    await deleteGatewayRedisKeys();
  });

  describe('while market-data answers', () => {
    it('passes the upstream status, JSON body and its own headers back to the client', async () => {
      const response = await http.get('/api/market/quotes/AAPL').set('x-request-id', 'test-ok-1').expect(200);

      expect(response.body).toEqual({ symbol: 'AAPL' });
      expect(response.headers['x-upstream']).toBe('yes');
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    });

    it('forwards to the path under the prefix and carries the client request id both ways', async () => {
      const response = await http.get('/api/market/quotes/AAPL').set('x-request-id', 'test-req-1').expect(200);

      // The gateway's id wins over the one market-data put on its response.
      expect(response.headers['x-request-id']).toBe('test-req-1');
      const seen = receivedWithRequestId(upstream, 'test-req-1');
      expect(seen).toHaveLength(1);
      expect(seen[0].method).toBe('GET');
      expect(seen[0].url).toBe('/quotes/AAPL');
    });

    it('forwards the id it generated, not a caller id it rejected', async () => {
      const unsafe = `x${'{"level":"x"}'.repeat(20)}`;
      const response = await http.get('/api/market/quotes/AAPL').set('x-request-id', unsafe).expect(200);
      const generated = response.headers['x-request-id'];
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      expect(receivedWithRequestId(upstream, generated)).toHaveLength(1);
      expect(receivedWithRequestId(upstream, unsafe)).toHaveLength(0);
    });

    it('sets x-forwarded-for to the client address, replacing a value the client made up', async () => {
      await http
        .get('/api/market/quotes/AAPL')
        .set('x-request-id', 'test-xff-1')
        .set('x-forwarded-for', '203.0.113.9')
        .expect(200);

      const [seen] = receivedWithRequestId(upstream, 'test-xff-1');
      expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen.headers['x-forwarded-proto']).toBe('http');
    });

    it('does not pass hop-by-hop headers to market-data but does pass end-to-end ones', async () => {
      await http
        .get('/api/market/quotes/AAPL')
        .set('x-request-id', 'test-hop-1')
        .set('te', 'trailers')
        .set('proxy-authorization', 'Basic c2VjcmV0')
        .set('accept-language', 'de-CH')
        .expect(200);

      const [seen] = receivedWithRequestId(upstream, 'test-hop-1');
      expect(seen).toBeDefined();
      expect(seen.headers).not.toHaveProperty('te');
      expect(seen.headers).not.toHaveProperty('proxy-authorization');
      expect(seen.headers['accept-language']).toBe('de-CH');
      // undici addresses market-data itself rather than repeating the gateway's Host.
      expect(seen.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    });

    it('forwards the query string unchanged', async () => {
      await http.get('/api/market/quotes/AAPL?fields=price').set('x-request-id', 'test-query-1').expect(200);

      const [seen] = receivedWithRequestId(upstream, 'test-query-1');
      expect(seen.url).toBe('/quotes/AAPL?fields=price');
    });

    it('forwards a POST with its JSON body to the upstream path and returns the upstream’s answer', async () => {
      const payload = { amount: '49.99', nested: { depth: 2, flag: true } };
      const response = await http.post('/api/payments').set('authorization', `Bearer ${tokenFor(USER)}`).set('x-request-id', 'test-post-1').send(payload).expect(201);

      expect(response.body).toEqual({ echoed: payload });
      const [seen] = receivedWithRequestId(upstream, 'test-post-1');
      expect(seen.method).toBe('POST');
      expect(seen.url).toBe('/payments');
      expect(seen.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(seen.body)).toEqual(payload);
    });

    it('forwards a request that carries Expect: 100-continue instead of failing it with 502', async () => {
      // undici refuses to send Expect at all; the expectation belongs to the client's hop. Sent with
      // node:http, as superagent cannot wait for the 100 before its body.
      const { port } = app.getHttpServer().address() as AddressInfo;
      const body = JSON.stringify({ amount: '1.00' });
      const answer = await new Promise<{ status: number; interim: number; text: string }>((resolve, reject) => {
        let interim = 0;
        const outgoing = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/payments',
            headers: {
              authorization: `Bearer ${tokenFor(USER)}`,
              'x-request-id': 'test-expect-1',
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(body)),
              expect: '100-continue',
            },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, interim, text }));
          },
        );
        outgoing.on('continue', () => {
          interim += 1;
          outgoing.end(body);
        });
        outgoing.on('error', reject);
      });

      expect(answer).toEqual({ status: 201, interim: 1, text: JSON.stringify({ echoed: { amount: '1.00' } }) });
      const [seen] = receivedWithRequestId(upstream, 'test-expect-1');
      expect(seen.headers).not.toHaveProperty('expect');
    });

    it('does not pass on the headers the client named in Connection, which are hop-by-hop too', async () => {
      await http
        .get('/api/market/quotes/AAPL')
        .set('x-request-id', 'test-connection-1')
        .set('connection', 'keep-alive, X-Hop-Secret')
        .set('x-hop-secret', 'for the gateway only')
        .set('x-end-to-end', 'kept')
        .expect(200);

      const [seen] = receivedWithRequestId(upstream, 'test-connection-1');
      expect(seen.headers).not.toHaveProperty('x-hop-secret');
      expect(seen.headers['x-end-to-end']).toBe('kept');
    });

    it('forwards a body that is a JSON string as that JSON string, not as the object spelled inside it', async () => {
      const inner = JSON.stringify({ amount: '49.99', currency: 'USD' });
      const response = await http
        .post('/api/payments')
        .set('authorization', `Bearer ${tokenFor(USER)}`)
        .set('x-request-id', 'test-string-body-1')
        .set('content-type', 'application/json')
        .send(JSON.stringify(inner))
        .expect(201);

      expect(response.body).toEqual({ echoed: inner });
      const [seen] = receivedWithRequestId(upstream, 'test-string-body-1');
      expect(seen.body).toBe(JSON.stringify(inner));
    });

    it.each([
      ['a form body', 'application/x-www-form-urlencoded', 'amount=49.99&currency=USD', 415],
      ['a text body', 'text/plain', 'amount=49.99', 415],
      ['JSON nested 5,000 levels deep', 'application/json', `{"amount":${'['.repeat(5_000)}${']'.repeat(5_000)}}`, 400],
      ['a lone UTF-16 surrogate', 'application/json', '{"amount":"\\ud800"}', 400],
    ])('answers %s itself, in the shared shape, without reaching the upstream', async (_label, contentType, body, status) => {
      const requestId = `test-refused-body-${status}-${contentType.length}-${body.length}`;
      const response = await http
        .post('/api/payments')
        .set('authorization', `Bearer ${tokenFor(USER)}`)
        .set('x-request-id', requestId)
        .set('content-type', contentType)
        .send(body)
        .expect(status);

      expect(response.body).toMatchObject({ statusCode: status, error: expect.any(String), message: expect.any(String), request_id: requestId });
      expect(receivedWithRequestId(upstream, requestId)).toHaveLength(0);
    });

    it('passes a 404 from market-data through unchanged for a symbol it does not know', async () => {
      const response = await http.get('/api/market/quotes/UNKNOWN').set('x-request-id', 'test-up404-1').expect(404);

      expect(response.body).toEqual({ error: 'no such market-data resource', path: '/quotes/UNKNOWN' });
      expect(receivedWithRequestId(upstream, 'test-up404-1')).toHaveLength(1);
    });

    it('answers 504 naming market-data and the 300 ms limit when market-data is too slow', async () => {
      const response = await http.get('/api/market/quotes/SLOW').set('x-request-id', 'test-slow-1').expect(504);

      expect(response.body).toEqual({
        statusCode: 504,
        error: 'Gateway Timeout',
        message: expect.stringMatching(/market-data.*300 ms/),
        request_id: 'test-slow-1',
      });
      expect(response.headers['x-request-id']).toBe('test-slow-1');
      // The request did reach market-data: the 504 is about its slowness, not about reaching it.
      expect(receivedWithRequestId(upstream, 'test-slow-1')).toHaveLength(1);
    }, 10_000);

    it('answers 404 in the shared error shape for a path outside every route', async () => {
      const response = await http.get('/nope').set('x-request-id', 'test-nope-1').expect(404);

      expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found', request_id: 'test-nope-1' });
      expect(receivedWithRequestId(upstream, 'test-nope-1')).toHaveLength(0);
    });
  });

  describe('after market-data has stopped', () => {
    beforeAll(async () => {
      await upstream.stop();
    });

    it('answers 502 saying market-data is unavailable, with the request id', async () => {
      const response = await http.get('/api/market/quotes/AAPL').set('x-request-id', 'test-down-1').expect(502);

      expect(response.body).toEqual({
        statusCode: 502,
        error: 'Bad Gateway',
        message: expect.stringContaining('market-data is unavailable'),
        request_id: 'test-down-1',
      });
      expect(response.headers['x-request-id']).toBe('test-down-1');
    });

    it('counts the timeout and the unavailable upstream in gateway_upstream_failures_total', async () => {
      const response = await http.get('/metrics').expect(200);

      expect(response.text).toContain('gateway_upstream_failures_total{');
      expect(failureCount(response.text, 'market-data', 'timeout')).toBeGreaterThanOrEqual(1);
      expect(failureCount(response.text, 'market-data', 'unavailable')).toBeGreaterThanOrEqual(1);
    });

    it('labels request durations with route templates, "unmatched" for unknown paths, never raw URLs', async () => {
      const response = await http.get('/metrics').expect(200);
      const routes = histogramRoutes(response.text);

      expect(routes).toContain('/api/market/quotes/:symbol');
      expect(routes).toContain('unmatched');
      for (const route of routes) {
        expect(route).not.toMatch(/AAPL|SLOW|UNKNOWN|\?|\/nope/);
      }
      expect(response.text).not.toContain('route="/api/market/quotes/AAPL"');
    });
  });
});

describe('api-gateway configured with a market-data URL where nothing listens', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const port = await closedPort();
    app = await startListeningGateway({ MARKET_DATA_URL: `http://127.0.0.1:${port}`, UPSTREAM_TIMEOUT_MS: '300' });
  });

  afterAll(async () => {
    await app?.close();
    env.restore();
  });

  it('answers 502 naming market-data and the refused connection', async () => {
    const response = await request(app.getHttpServer()).get('/api/market/quotes/AAPL').set('x-request-id', 'test-refused-1').expect(502);

    expect(response.body).toEqual({
      statusCode: 502,
      error: 'Bad Gateway',
      message: 'market-data is unavailable (ECONNREFUSED)',
      request_id: 'test-refused-1',
    });
  });

  it('counts the refusal as reason="unavailable" in this app’s own metrics', async () => {
    const response = await request(app.getHttpServer()).get('/metrics').expect(200);

    expect(failureCount(response.text, 'market-data', 'unavailable')).toBe(1);
    expect(failureCount(response.text, 'market-data', 'timeout')).toBeUndefined();
  });
});
