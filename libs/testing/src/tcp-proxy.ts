import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './ports';

/**
 * A TCP proxy placed between a service and a real server, so a test can take that server away from
 * one service (and give it back) without touching the server everyone else on the machine uses.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  /** A started proxy, on a free port, in front of the server `url` names (`defaultPort` when it names none). */
  static async inFrontOf(url: string, defaultPort: number): Promise<TcpProxy> {
    const { hostname, port } = new URL(url);
    const proxy = new TcpProxy({ host: hostname, port: Number(port || defaultPort) }, await freePort());
    await proxy.start();
    return proxy;
  }

  /** `url` (with its credentials, database and options) pointed at this proxy instead of the server. */
  route(url: string): string {
    const routed = new URL(url);
    routed.host = `127.0.0.1:${this.port}`;
    return routed.toString();
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Refuses new connections and cuts the open ones, as a crashed server would. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
