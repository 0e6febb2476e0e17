import { io, type Socket } from 'socket.io-client';

/** A monitor as Uptime Kuma sends it in `monitorList` (Monitor.toJSON): many more fields than these. */
export type KumaMonitor = Record<string, unknown> & { id: number; name: string };

interface Reply {
  ok?: boolean;
  msg?: string;
  tokenRequired?: boolean;
  monitorID?: number;
}

export class UptimeKumaError extends Error {
  override name = 'UptimeKumaError';
}

/**
 * The few events of Uptime Kuma's Socket.IO API (the one its own web UI uses; v1.23 server/server.js)
 * that provisioning needs. Every request is an emit with an acknowledgement `{ ok, msg, ... }`; the
 * monitor list is not an answer but a `monitorList` event the server pushes after login and after
 * every change, an object keyed by monitor id.
 */
export class UptimeKumaClient {
  private monitorList: Record<string, KumaMonitor> | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('monitorList', (list: Record<string, KumaMonitor>) => {
      this.monitorList = list;
    });
  }

  static async connect(url: string, timeoutMs: number): Promise<UptimeKumaClient> {
    const socket = io(url, { transports: ['websocket'], reconnection: false, timeout: timeoutMs, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => {
        socket.close();
        reject(new UptimeKumaError(`cannot reach Uptime Kuma at ${url}: ${error.message}`));
      });
    });
    return new UptimeKumaClient(socket, timeoutMs);
  }

  /** True on a fresh installation, before an admin user exists. */
  async needsSetup(): Promise<boolean> {
    return (await this.ask('asking whether it needs setting up', 'needSetup')) === true;
  }

  async setup(username: string, password: string): Promise<void> {
    await this.request('creating the admin user', 'setup', username, password);
  }

  async login(username: string, password: string): Promise<void> {
    const reply = await this.request(`logging in as "${username}"`, 'login', { username, password, token: '' });
    if (reply.tokenRequired) throw new UptimeKumaError(`logging in as "${username}": the user has two-factor authentication, which provisioning does not support`);
  }

  /** Every monitor of the logged-in user, as the server sees it now. */
  async monitors(): Promise<KumaMonitor[]> {
    // The server emits `monitorList` before it acknowledges `getMonitorList`, on the same connection.
    await this.request('listing monitors', 'getMonitorList');
    if (!this.monitorList) throw new UptimeKumaError('Uptime Kuma acknowledged getMonitorList without sending the monitor list');
    return Object.values(this.monitorList);
  }

  async add(monitor: Record<string, unknown>): Promise<number> {
    const reply = await this.request(`adding "${String(monitor.name)}"`, 'add', monitor);
    return reply.monitorID as number;
  }

  /** `editMonitor` replaces every field it knows, so `monitor` must be a whole monitor, not a patch. */
  async edit(monitor: KumaMonitor): Promise<void> {
    await this.request(`updating "${monitor.name}"`, 'editMonitor', monitor);
  }

  async remove(monitor: KumaMonitor): Promise<void> {
    await this.request(`deleting duplicate "${monitor.name}" (id ${monitor.id})`, 'deleteMonitor', monitor.id);
  }

  close(): void {
    this.socket.close();
  }

  /** Emits `event` and returns the acknowledgement, or fails saying what was being done. */
  private async ask(what: string, event: string, ...args: unknown[]): Promise<unknown> {
    try {
      return await this.socket.timeout(this.timeoutMs).emitWithAck(event, ...args);
    } catch (error) {
      throw new UptimeKumaError(`${what}: no answer from Uptime Kuma within ${this.timeoutMs} ms (${(error as Error).message})`);
    }
  }

  /** A request answered `{ ok, msg, ... }`: `ok: false` becomes an error carrying Uptime Kuma's reason. */
  private async request(what: string, event: string, ...args: unknown[]): Promise<Reply> {
    const reply = ((await this.ask(what, event, ...args)) ?? {}) as Reply;
    if (reply.ok === false) throw new UptimeKumaError(`${what}: Uptime Kuma refused: ${reply.msg ?? 'no reason given'}`);
    return reply;
  }
}
