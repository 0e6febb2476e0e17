import { Platform } from '@ai-finance/testing';
import { connect, type Socket } from 'node:net';

/** The test's request timeout: short enough to watch, far above what an honest client on loopback needs. */
const REQUEST_TIMEOUT_MS = 2_000;
/** The timeout, plus the once-a-second check of it, plus slack for a busy machine. */
const CUT_OFF_WITHIN_MS = REQUEST_TIMEOUT_MS + 1_000 + 2_000;
const TRICKLE_INTERVAL_MS = 300;

interface Trickle {
  /** What the gateway sent back before it closed the connection. */
  answer: string;
  closedAfterMs: number;
}

/** Opens a connection, sends `head`, then one byte of `rest` every TRICKLE_INTERVAL_MS until the gateway hangs up. */
function trickle(port: number, head: string, rest: string, giveUpMs: number): Promise<Trickle> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    let sent = 0;
    const socket: Socket = connect({ host: '127.0.0.1', port }, () => socket.write(head));
    const timer = setInterval(() => {
      if (sent < rest.length && !socket.destroyed) socket.write(rest[sent++]);
    }, TRICKLE_INTERVAL_MS);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the gateway still held the connection after ${giveUpMs} ms (answer so far: ${JSON.stringify(answer)})`));
    }, giveUpMs);
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
  });
}

describe('slow clients at api-gateway', () => {
  const platform = new Platform({
    services: ['api-gateway', 'market-data'],
    env: { 'api-gateway': { HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) } },
  });

  beforeAll(async () => {
    await platform.start();
    await platform.waitUntilReady();
  }, 120_000);

  afterAll(() => platform.stop(), 60_000);

  it('cuts off a client that trickles its headers (slowloris) once the request timeout has passed', async () => {
    const port = platform.gateway.port;
    const result = await trickle(port, 'GET /api/market/quotes/AAPL HTTP/1.1\r\nHost: gateway\r\n', 'X-Slow: ' + 'a'.repeat(200), CUT_OFF_WITHIN_MS + 5_000);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.closedAfterMs).toBeLessThan(CUT_OFF_WITHIN_MS);
  });

  it('cuts off a client that trickles its body once the request timeout has passed', async () => {
    const port = platform.gateway.port;
    const body = JSON.stringify({ email: 'slow@example.com', password: 'x'.repeat(100) });
    const head = `POST /api/users/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const result = await trickle(port, head, body, CUT_OFF_WITHIN_MS + 5_000);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.closedAfterMs).toBeLessThan(CUT_OFF_WITHIN_MS);
  });

  it('still serves a client that sends its request at once', async () => {
    expect((await fetch(`${platform.gateway.url}/api/market/quotes/AAPL`)).status).toBe(200);
  });
});
