import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';

type Ack = (reply: unknown) => void;
export type StoredMonitor = Record<string, unknown> & { id: number; name: string };

/**
 * Uptime Kuma's Socket.IO API as far as provisioning uses it, with the semantics of v1.23's
 * server/server.js: `setup` is pushed to a client of an installation without users, `needSetup`,
 * `setup(username, password)`, `login({username, password, token})`, `getMonitorList` (the list is
 * pushed as `monitorList`, an object keyed by id), `add`, `editMonitor` (replaces the fields it is
 * given), `deleteMonitor`; everything but the first three needs a logged-in socket. Every event is
 * recorded in `calls`, so tests can say what a run asked for.
 */
export class FakeUptimeKuma {
  readonly calls: string[] = [];
  readonly monitors = new Map<number, StoredMonitor>();
  private admin: { username: string; password: string } | undefined;
  private nextId = 1;
  private http: HttpServer | undefined;
  private io: Server | undefined;

  get url(): string {
    const address = this.http?.address() as AddressInfo | undefined;
    if (!address) throw new Error('FakeUptimeKuma is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Names of the monitors, sorted, for assertions. */
  get monitorNames(): string[] {
    return [...this.monitors.values()].map((monitor) => monitor.name).sort();
  }

  withAdmin(username: string, password: string): this {
    this.admin = { username, password };
    return this;
  }

  /** A monitor someone made by hand (or an earlier run), with Uptime Kuma's defaults for the rest. */
  seed(fields: Partial<StoredMonitor> & { name: string }): StoredMonitor {
    const monitor: StoredMonitor = { ...defaults(), ...fields, id: this.nextId++ };
    this.monitors.set(monitor.id, monitor);
    return monitor;
  }

  byName(name: string): StoredMonitor[] {
    return [...this.monitors.values()].filter((monitor) => monitor.name === name);
  }

  callCount(event: string): number {
    return this.calls.filter((call) => call === event).length;
  }

  async start(): Promise<void> {
    this.http = createServer();
    this.io = new Server(this.http);
    this.io.on('connection', (socket) => this.accept(socket));
    await new Promise<void>((resolve) => this.http?.listen(0, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.io ? this.io.close(() => resolve()) : resolve()));
  }

  private accept(socket: Socket): void {
    let loggedIn = false;
    // The monitor events: refused before login; the changed list is pushed before the acknowledgement.
    const onMonitors = (event: string, handler: (argument: unknown) => object) =>
      socket.on(event, (...args: unknown[]) => {
        const ack = args.pop() as Ack;
        try {
          if (!loggedIn) throw new Error('You are not logged in.');
          const reply = handler(args[0]);
          this.sendMonitorList(socket);
          ack({ ok: true, ...reply });
        } catch (error) {
          ack({ ok: false, msg: (error as Error).message });
        }
      });
    socket.onAny((event: string) => this.calls.push(event));

    socket.emit('info', { version: '1.23.16', primaryBaseURL: null });
    if (!this.admin) socket.emit('setup');

    socket.on('needSetup', (ack: Ack) => ack(!this.admin));
    socket.on('setup', (username: string, password: string, ack: Ack) => {
      if (!/[a-z]/i.test(password) || !/\d/.test(password) || password.length < 6) {
        return ack({ ok: false, msg: 'Password is too weak. It should contain alphabetic and numeric characters. It must be at least 6 characters in length.' });
      }
      if (this.admin) return ack({ ok: false, msg: 'Uptime Kuma has been initialized. If you want to run setup again, please delete the database.' });
      this.admin = { username, password };
      ack({ ok: true, msg: 'Added Successfully.' });
    });
    socket.on('login', (data: { username: string; password: string }, ack: Ack) => {
      if (!this.admin || data.username !== this.admin.username || data.password !== this.admin.password) {
        return ack({ ok: false, msg: 'Incorrect username or password.' });
      }
      loggedIn = true;
      ack({ ok: true, token: 'jwt-of-the-fake' });
      // afterLogin() is not awaited by the real server: the list may arrive after the acknowledgement.
      setImmediate(() => this.sendMonitorList(socket));
    });
    onMonitors('getMonitorList', () => ({}));
    onMonitors('add', (monitor) => {
      const fields = monitor as StoredMonitor;
      if (!(fields.accepted_statuscodes as unknown[]).every((code) => typeof code === 'string')) throw new Error('Accepted status codes are not all strings');
      return { msg: 'Added Successfully.', monitorID: this.seed(fields).id };
    });
    onMonitors('editMonitor', (monitor) => {
      const fields = monitor as StoredMonitor;
      const existing = this.monitors.get(fields.id);
      if (!existing) throw new Error(`Cannot read properties of null (reading 'user_id')`);
      // The real handler copies a fixed list of fields from the object it is given, so one left out
      // of the object becomes empty: keep that consequence visible by storing exactly what came.
      this.monitors.set(existing.id, { ...fields, id: existing.id, active: existing.active });
      return { msg: 'Saved.', monitorID: existing.id };
    });
    onMonitors('deleteMonitor', (id) => {
      this.monitors.delete(id as number);
      return { msg: 'Deleted Successfully.' };
    });
  }

  private sendMonitorList(socket: Socket): void {
    socket.emit('monitorList', Object.fromEntries([...this.monitors].map(([id, monitor]) => [String(id), { ...monitor }])));
  }
}

/** Part of what Monitor.toJSON() sends for a monitor the form created with its defaults. */
function defaults(): Record<string, unknown> {
  return {
    type: 'http',
    description: null,
    url: 'https://',
    method: 'GET',
    interval: 60,
    retryInterval: 60,
    resendInterval: 0,
    maxretries: 0,
    timeout: 48,
    accepted_statuscodes: ['200-299'],
    maxredirects: 10,
    ignoreTls: false,
    upsideDown: false,
    expiryNotification: false,
    active: true,
    parent: null,
    notificationIDList: {},
    tags: [],
  };
}
