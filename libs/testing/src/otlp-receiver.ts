import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedSpan {
  serviceName: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  scopeName: string | undefined;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code?: number; message?: string };
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
  events?: Array<{ name: string; attributes?: OtlpKeyValue[] }>;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{ scope?: { name?: string }; spans?: OtlpSpan[] }>;
  }>;
}

const SPAN_ID_KEY = Buffer.from('"spanId"');

/**
 * An OTLP/HTTP trace receiver that speaks the protocol (POST /v1/traces, JSON encoding, as the
 * OpenTelemetry JS exporter sends it) and keeps every span it is given, for assertions.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Resource attributes of the last export (service.name, ...). */
  resource: Record<string, unknown> = {};
  /** Spans received, kept or not. */
  spanCount = 0;
  exportCount = 0;
  private server: Server | undefined;

  /**
   * `keepSpans: false` only counts them, so that a long benchmark run does not fill memory;
   * `parse: false` counts them without parsing the JSON (each span has exactly one `"spanId"` key), so
   * that receiving costs next to nothing (the benchmarks' sink).
   */
  constructor(private readonly options: { keepSpans?: boolean; parse?: boolean } = {}) {}

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('OtlpReceiver is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        if (!String(request.headers['content-type']).startsWith('application/json')) {
          response.writeHead(415, { 'content-type': 'application/json' }).end('{"message":"only the JSON encoding is supported"}');
          return;
        }
        try {
          const body = Buffer.concat(chunks);
          if (this.options.parse === false) this.countUnparsed(body);
          else this.collect(JSON.parse(body.toString()) as OtlpExport);
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch {
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', () => resolve()));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private countUnparsed(body: Buffer): void {
    this.exportCount++;
    for (let at = body.indexOf(SPAN_ID_KEY); at !== -1; at = body.indexOf(SPAN_ID_KEY, at + SPAN_ID_KEY.length)) this.spanCount++;
  }

  private collect(payload: OtlpExport): void {
    this.exportCount++;
    for (const resourceSpans of payload.resourceSpans ?? []) {
      const resource = toRecord(resourceSpans.resource?.attributes);
      this.resource = resource;
      for (const scope of resourceSpans.scopeSpans ?? []) {
        this.spanCount += scope.spans?.length ?? 0;
        if (this.options.keepSpans === false) continue;
        for (const span of scope.spans ?? []) {
          this.spans.push({
            serviceName: String(resource['service.name']),
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            name: span.name,
            kind: span.kind,
            attributes: toRecord(span.attributes),
            scopeName: scope.scope?.name,
            startTimeUnixNano: String(span.startTimeUnixNano),
            endTimeUnixNano: String(span.endTimeUnixNano),
            status: span.status ?? {},
            events: (span.events ?? []).map((event) => ({ name: event.name, attributes: toRecord(event.attributes) })),
          });
        }
      }
    }
  }
}

function toRecord(attributes: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const { key, value } of attributes ?? []) {
    record[key] = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
  }
  return record;
}
