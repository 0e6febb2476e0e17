import { freePort } from '@ai-finance/testing';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

const json = (res: ServerResponse, value: unknown, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
const success = (res: ServerResponse, data: unknown) => json(res, { status: 'success', data });

/**
 * The HTTP APIs the compose stack publishes on 127.0.0.1 (Prometheus, Alertmanager, Grafana, Kibana,
 * Jaeger, Uptime Kuma), answering as a healthy stack does, for the compose path's tests. Records the
 * snapshots asked for and the silences posted.
 */
export class FakeMonitoring {
  readonly ports: Record<string, number> = {};
  readonly snapshots: string[] = [];
  readonly postedSilences: unknown[] = [];
  silences: unknown[] = [];
  private readonly servers: Server[] = [];

  private readonly handlers: Record<string, Handler> = {
    prometheus: (req, _body, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/-/ready') return void res.end('ready');
      if (path === '/api/v1/targets') return success(res, { activeTargets: [{ scrapeUrl: 'http://payment:3020/metrics', health: 'up', lastError: '', labels: { job: 'services' } }] });
      if (path === '/api/v1/rules') return success(res, { groups: [{ name: 'g', file: 'f', rules: [{ name: 'r', health: 'ok' }] }] });
      if (path === '/api/v1/query') return success(res, { resultType: 'vector', result: [] });
      if (path === '/api/v1/alerts') return success(res, { alerts: [] });
      if (path === '/api/v1/admin/tsdb/snapshot' && req.method === 'POST') {
        const name = `20250101T000000Z-fake${this.snapshots.length}`;
        this.snapshots.push(name);
        return success(res, { name });
      }
      json(res, { status: 'error', error: `no fake for ${path}` }, 404);
    },
    alertmanager: (req, body, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/-/ready') return void res.end('ready');
      if (path === '/api/v2/status') return json(res, { config: { original: 'route:\n  receiver: default\nreceivers:\n  - name: default\n' } });
      if (path === '/api/v2/alerts') return json(res, []);
      if (path === '/api/v2/silences' && req.method === 'GET') return json(res, this.silences);
      if (path === '/api/v2/silences' && req.method === 'POST') {
        this.postedSilences.push(JSON.parse(body));
        return json(res, { silenceID: `restored-${this.postedSilences.length}` });
      }
      json(res, { error: `no fake for ${path}` }, 404);
    },
    grafana: (_req, _body, res) => json(res, { database: 'ok' }),
    kibana: (_req, _body, res) => json(res, { status: { overall: { level: 'available' } } }),
    jaeger: (_req, _body, res) => void res.end('<html>jaeger</html>'),
    'uptime-kuma': (_req, _body, res) => void res.end('<html>uptime kuma</html>'),
  };

  /** AI_FINANCE_PORT_<NAME> for each fake, for the script's environment. */
  get portEnv(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.ports).map(([name, port]) => [`AI_FINANCE_PORT_${name.toUpperCase().replace(/-/g, '_')}`, String(port)]));
  }

  async start(): Promise<void> {
    for (const [name, handler] of Object.entries(this.handlers)) {
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => handler(req, body, res));
      });
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      this.ports[name] = port;
      this.servers.push(server);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
