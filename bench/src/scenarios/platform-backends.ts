import { connect, createServer, type Socket } from 'node:net';
import { freePort, TEST_POSTGRES_URL, TEST_RABBITMQ_URL } from '@ai-finance/testing';

/** Where Platform finds Redis (it does not take the address from the environment). */
const PLATFORM_REDIS_URL = 'redis://127.0.0.1:6379';
const REACHABLE_WITHIN_MS = 3_000;

/**
 * Fails at once, naming every server that does not accept connections. Without this, a missing Redis
 * or RabbitMQ shows only as services that never become ready, a minute later, and the clean-up after
 * it can wait for ever on a Redis that is not there.
 */
export async function checkPlatformServers(): Promise<void> {
  const servers = [
    { name: 'PostgreSQL', url: TEST_POSTGRES_URL, defaultPort: 5432 },
    { name: 'Redis', url: PLATFORM_REDIS_URL, defaultPort: 6379 },
    { name: 'RabbitMQ', url: TEST_RABBITMQ_URL, defaultPort: 5672 },
  ];
  const problems = await Promise.all(
    servers.map(async ({ name, url, defaultPort }) => {
      const { hostname, port } = new URL(url);
      const address = `${hostname}:${port || defaultPort}`;
      const failure = await connectionFailure(hostname, Number(port || defaultPort));
      return failure === undefined ? undefined : `${name} at ${address} (${failure})`;
    }),
  );
  const missing = problems.filter((problem): problem is string => problem !== undefined);
  if (missing.length > 0) {
    throw new Error(`the platform scenarios need PostgreSQL, Redis and RabbitMQ; not reachable: ${missing.join('; ')}`);
  }
}

/** Why a TCP connection could not be made, or undefined when it could. */
function connectionFailure(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(REACHABLE_WITHIN_MS, () => {
      socket.destroy();
      resolve(`no connection within ${REACHABLE_WITHIN_MS} ms`);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A telemetry destination the services are pointed at and can never deliver to. */
export interface UnreachableBackend {
  url: string;
  behaviour: string;
  close(): Promise<void>;
}

/**
 * Accepts connections, reads what is sent and never answers: a hung backend, the harsher case, because
 * every request waits for its timeout while what it carries stays in the sender's memory.
 */
export async function startSilentServer(): Promise<UnreachableBackend> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the silent server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    behaviour: 'accepts connections and never answers (a hung backend)',
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: every connection is refused at once. */
export async function closedPort(): Promise<UnreachableBackend> {
  return {
    url: `http://127.0.0.1:${await freePort()}`,
    behaviour: 'closed port (connection refused)',
    close: async () => undefined,
  };
}
