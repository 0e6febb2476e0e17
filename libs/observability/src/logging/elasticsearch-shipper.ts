import { Client } from '@elastic/elasticsearch';
import pinoElasticsearchUntyped from 'pino-elasticsearch';
import type { Counter } from 'prom-client';

export interface ElasticsearchShipperOptions {
  node: string;
  index: string;
  username?: string;
  password?: string;
  /** Records accepted but not yet acknowledged by Elasticsearch; beyond this, new records are dropped. */
  maxPendingRecords: number;
  flushBytes: number;
  flushIntervalMs: number;
  requestTimeoutMs: number;
  /** First wait before reconnecting after Elasticsearch failed; doubles up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export const DEFAULT_SHIPPER_OPTIONS = {
  index: 'ai-finance-logs-%{DATE}',
  maxPendingRecords: 10_000,
  flushBytes: 256 * 1024,
  flushIntervalMs: 2_000,
  requestTimeoutMs: 5_000,
  retryDelayMs: 5_000,
  maxRetryDelayMs: 60_000,
} satisfies Partial<ElasticsearchShipperOptions>;

export type DropReason = 'buffer_full' | 'elasticsearch_unavailable' | 'rejected';

type BulkFn = Client['bulk'];
// Its typings omit the second argument, which is how a Client class is handed in.
const pinoElasticsearch = pinoElasticsearchUntyped as unknown as (options: Record<string, unknown>, overrides: { Client: typeof Client }) => unknown;
type Splitter = NodeJS.WritableStream & NodeJS.EventEmitter & { destroy(): void };

/**
 * Ships log lines with pino-elasticsearch without letting Elasticsearch hold the service hostage:
 * the pending buffer is bounded, a failed connection is rebuilt with back-off, and every record that
 * does not reach Elasticsearch is counted in `log_records_dropped_total` instead of being retried forever.
 */
export class ElasticsearchShipper {
  private splitter: Splitter | undefined;
  private client: Client | undefined;
  private pending = 0;
  private retryDelayMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly options: ElasticsearchShipperOptions,
    private readonly dropped: Counter<'reason'>,
    private readonly shipped: Counter,
  ) {
    this.retryDelayMs = options.retryDelayMs;
    this.connect();
  }

  /** pino calls this with one serialised JSON line. It never throws and never waits. */
  write(line: string): boolean {
    if (!this.splitter) {
      this.dropped.inc({ reason: 'elasticsearch_unavailable' });
    } else if (this.pending >= this.options.maxPendingRecords) {
      this.dropped.inc({ reason: 'buffer_full' });
    } else {
      this.pending++;
      this.splitter.write(line);
    }
    return true;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.teardown();
  }

  private connect(): void {
    const CountingClient = countingClientClass(this.options.requestTimeoutMs, {
      created: (client) => {
        this.client = client;
      },
      acknowledged: (records) => {
        this.settle(records);
        this.shipped.inc(records);
        this.retryDelayMs = this.options.retryDelayMs;
      },
      failed: (records) => {
        this.settle(records);
        this.dropped.inc({ reason: 'elasticsearch_unavailable' }, records);
      },
    });

    const auth =
      this.options.username !== undefined && this.options.password !== undefined
        ? { username: this.options.username, password: this.options.password }
        : undefined;
    const splitter = pinoElasticsearch(
      {
        node: this.options.node,
        auth,
        index: this.options.index,
        esVersion: 8,
        flushBytes: this.options.flushBytes,
        flushInterval: this.options.flushIntervalMs,
      },
      { Client: CountingClient },
    ) as unknown as Splitter;

    splitter.on('insertError', () => {
      // A document Elasticsearch refused after its own retries; the bulk request itself succeeded.
      this.dropped.inc({ reason: 'rejected' });
    });
    splitter.on('unknown', () => this.settle(1));
    splitter.on('error', () => this.scheduleReconnect());
    this.splitter = splitter;
  }

  private settle(records: number): void {
    this.pending = Math.max(0, this.pending - records);
  }

  private scheduleReconnect(): void {
    this.teardown();
    if (this.closed) return;
    this.retryTimer = setTimeout(() => this.connect(), this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.maxRetryDelayMs);
  }

  private teardown(): void {
    // Whatever was accepted and never reached a bulk request is lost with the old pipeline.
    if (this.pending > 0) this.dropped.inc({ reason: 'elasticsearch_unavailable' }, this.pending);
    this.pending = 0;
    const splitter = this.splitter;
    this.splitter = undefined;
    splitter?.removeAllListeners();
    splitter?.on('error', () => undefined);
    splitter?.destroy();
    void this.client?.close().catch(() => undefined);
    this.client = undefined;
  }
}

interface BulkObserver {
  created(client: Client): void;
  acknowledged(records: number): void;
  failed(records: number): void;
}

/**
 * pino-elasticsearch builds its own client from the class it is given; this subclass lets the shipper
 * see each bulk request settle, the only place where "shipped" and "lost" can be counted exactly.
 */
function countingClientClass(requestTimeoutMs: number, observer: BulkObserver): typeof Client {
  return class CountingClient extends Client {
    constructor(options: ConstructorParameters<typeof Client>[0]) {
      super({ ...options, requestTimeout: requestTimeoutMs, maxRetries: 1 });
      observer.created(this);
      const bulk = this.bulk.bind(this) as (...args: unknown[]) => Promise<unknown>;
      this.bulk = ((...args: unknown[]) => {
        const records = countRecords(args[0]);
        return bulk(...args).then(
          (response) => {
            observer.acknowledged(records);
            return response;
          },
          (error: unknown) => {
            observer.failed(records);
            throw error;
          },
        );
      }) as unknown as BulkFn;
    }
  };
}

function countRecords(params: unknown): number {
  const body = (params as { body?: unknown[]; operations?: unknown[] } | undefined) ?? {};
  const lines = body.operations ?? body.body ?? [];
  // The bulk body alternates an action line and its document.
  return Math.floor(lines.length / 2);
}
