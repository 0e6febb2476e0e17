import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogPipeline } from '../src/logging/log-pipeline';
import { ServiceMetrics } from '../src/metrics/service-metrics';
import { LogCapture } from './log-capture';

type Mode = 'accept' | 'hang';

/** Speaks enough of Elasticsearch's HTTP API (product check, _bulk) for the real client to ship to it. */
class BulkEndpoint {
  readonly documents: Array<{ index: string; doc: Record<string, unknown> }> = [];
  mode: Mode = 'accept';
  private server: Server | undefined;
  private readonly hanging: ServerResponse[] = [];

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };
      if (!request.url?.startsWith('/_bulk')) {
        response.writeHead(200, headers).end(JSON.stringify({ version: { number: '8.15.0' }, tagline: 'You Know, for Search' }));
        return;
      }
      if (this.mode === 'hang') {
        this.hanging.push(response);
        return;
      }
      const lines = Buffer.concat(chunks).toString().split('\n').filter(Boolean);
      const items = [];
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const action = JSON.parse(lines[i]) as { index: { _index: string } };
        this.documents.push({ index: action.index._index, doc: JSON.parse(lines[i + 1]) as Record<string, unknown> });
        items.push({ index: { _index: action.index._index, status: 201, result: 'created' } });
      }
      response.writeHead(200, headers).end(JSON.stringify({ took: 1, errors: false, items }));
    });
  }
}

async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function counterValue(metrics: ServiceMetrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

describe('shipping logs to Elasticsearch', () => {
  const endpoint = new BulkEndpoint();
  beforeAll(() => endpoint.start());
  afterAll(() => endpoint.stop());

  it('ships every line to the dated ai-finance-logs index and still writes it to stdout', async () => {
    const metrics = new ServiceMetrics('shipping-test', { defaultMetrics: false });
    const stdout = new LogCapture();
    const pipeline = createLogPipeline(
      { serviceName: 'shipping-test', logLevel: 'info', requestTelemetry: true, elasticsearch: { node: endpoint.url, index: 'ai-finance-logs-%{DATE}', maxPendingRecords: 1000 } },
      metrics,
      stdout,
    );
    for (let i = 0; i < 5; i++) pipeline.logger.info({ log_type: 'payment_transaction', transaction_id: `tx-${i}`, password: 'never' }, 'payment settled');
    await until('5 documents in the bulk endpoint', () => endpoint.documents.length >= 5);
    await until('the acknowledgement to be counted', async () => (await counterValue(metrics, 'log_records_shipped_total')) >= 5);
    pipeline.close();

    const today = new Date().toISOString().slice(0, 10);
    expect(endpoint.documents.map((entry) => entry.index)).toEqual(Array(5).fill(`ai-finance-logs-${today}`));
    expect(endpoint.documents[0].doc).toMatchObject({ service_name: 'shipping-test', log_type: 'payment_transaction', transaction_id: 'tx-0', password: '[REDACTED]' });
    expect(stdout.lines).toHaveLength(5);
    expect(await counterValue(metrics, 'log_records_shipped_total')).toBe(5);
    expect(await counterValue(metrics, 'log_records_dropped_total')).toBe(0);
  });

  it('drops and counts what does not fit while Elasticsearch does not answer, without slowing the caller', async () => {
    endpoint.mode = 'hang';
    const metrics = new ServiceMetrics('shipping-test', { defaultMetrics: false });
    const stdout = new LogCapture();
    const pipeline = createLogPipeline(
      { serviceName: 'shipping-test', logLevel: 'info', requestTelemetry: true, elasticsearch: { node: endpoint.url, index: 'ai-finance-logs-%{DATE}', maxPendingRecords: 50 } },
      metrics,
      stdout,
    );
    for (let i = 0; i < 500; i++) pipeline.logger.info({ sequence: i }, 'line');
    expect(stdout.lines).toHaveLength(500);
    expect(await counterValue(metrics, 'log_records_dropped_total', { reason: 'buffer_full' })).toBe(450);
    pipeline.close();
    endpoint.mode = 'accept';
  });

  it('counts lines as dropped when Elasticsearch refuses connections', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const metrics = new ServiceMetrics('shipping-test', { defaultMetrics: false });
    const pipeline = createLogPipeline(
      { serviceName: 'shipping-test', logLevel: 'info', requestTelemetry: true, elasticsearch: { node: `http://127.0.0.1:${port}`, index: 'logs', maxPendingRecords: 1000 } },
      metrics,
      new LogCapture(),
    );
    for (let i = 0; i < 20; i++) pipeline.logger.info({ sequence: i }, 'line');
    await until('dropped records to be counted', async () => (await counterValue(metrics, 'log_records_dropped_total')) >= 20);
    pipeline.logger.info('after the failure');
    await until('the later line to be counted too', async () => (await counterValue(metrics, 'log_records_dropped_total', { reason: 'elasticsearch_unavailable' })) >= 21);
    pipeline.close();
  });
});
