import { freePort, OtlpReceiver, waitFor } from '@ai-finance/testing';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span, type SpanContext } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { createServer, type Server, type Socket } from 'node:net';
import { ConfigurationError } from '../src/config/load-env';
import { LeanTracerProvider } from '../src/tracing/lean-tracer';
import { otlpHeaders, otlpTracesUrl } from '../src/tracing/otlp-endpoint';
import { encodeResource } from '../src/tracing/otlp-json';
import { samplerFromEnv, type Sampler } from '../src/tracing/sampler';
import { unixNanoString } from '../src/tracing/span-clock';
import { OtlpSpanExporter, type SpanExporterOptions } from '../src/tracing/span-exporter';
import { newTraceId } from '../src/tracing/span-ids';

function tracingTo(url: string, sampler: Sampler = samplerFromEnv({}), options: Partial<SpanExporterOptions> = {}) {
  const warnings: string[] = [];
  const exporter = new OtlpSpanExporter({
    url,
    resource: encodeResource({ 'service.name': 'tracing-test', 'process.pid': process.pid }),
    maxQueueSize: 4_096,
    maxBatchSize: 512,
    scheduledDelayMs: 50,
    exportTimeoutMs: 1_000,
    warn: (message) => warnings.push(message),
    ...options,
  });
  const provider = new LeanTracerProvider(sampler, (span) => exporter.enqueue(span));
  return { exporter, warnings, tracer: provider.getTracer('tracing-test', '1.2.3') };
}

function traceparentOf(span: Span): string | undefined {
  const headers: Record<string, string> = {};
  new W3CTraceContextPropagator().inject(trace.setSpan(ROOT_CONTEXT, span), headers, { set: (carrier, key, value) => (carrier[key] = value) });
  return headers.traceparent;
}

describe('lean tracing: spans to an OTLP/HTTP collector', () => {
  const receiver = new OtlpReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('exports each ended span as OTLP JSON with ids, parent, kind, times, attributes, status, events, scope and resource', async () => {
    const { tracer, exporter } = tracingTo(`${receiver.endpoint}/v1/traces`);
    const server = tracer.startSpan('GET /quotes/:symbol', { kind: SpanKind.SERVER, attributes: { 'http.route': '/quotes/:symbol', 'http.request.method': 'GET' } });
    const redis = tracer.startSpan('get', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'redis', retries: 2, ratio: 0.5, cached: false, tags: ['a', 'b'] } }, trace.setSpan(ROOT_CONTEXT, server));
    redis.recordException(new RangeError('no quote for "ZZZ"'));
    redis.setStatus({ code: SpanStatusCode.ERROR, message: 'no quote' });
    redis.end();
    server.setAttribute('http.response.status_code', 200);
    server.end();
    await exporter.shutdown();

    const [redisSpan, serverSpan] = ['get', 'GET /quotes/:symbol'].map((name) => receiver.spans.find((span) => span.name === name && span.traceId === server.spanContext().traceId));
    expect(serverSpan).toMatchObject({
      serviceName: 'tracing-test',
      spanId: server.spanContext().spanId,
      parentSpanId: undefined,
      kind: 2,
      scopeName: 'tracing-test',
      attributes: { 'http.route': '/quotes/:symbol', 'http.request.method': 'GET', 'http.response.status_code': 200 },
      status: { code: SpanStatusCode.UNSET },
    });
    expect(redisSpan).toMatchObject({
      parentSpanId: server.spanContext().spanId,
      kind: 3,
      attributes: { 'db.system': 'redis', retries: 2, ratio: 0.5, cached: false },
      status: { code: SpanStatusCode.ERROR, message: 'no quote' },
      events: [{ name: 'exception', attributes: { 'exception.type': 'RangeError', 'exception.message': 'no quote for "ZZZ"' } }],
    });
    expect(receiver.resource).toMatchObject({ 'service.name': 'tracing-test', 'process.pid': process.pid });
    for (const span of [serverSpan, redisSpan]) {
      expect(span?.startTimeUnixNano).toMatch(/^\d{19}$/);
      expect(BigInt(span?.endTimeUnixNano ?? 0)).toBeGreaterThanOrEqual(BigInt(span?.startTimeUnixNano ?? 0));
      expect(Math.abs(Number(BigInt(span?.startTimeUnixNano ?? 0) / 1_000_000n) - Date.now())).toBeLessThan(60_000);
    }
    expect(exporter.counts).toEqual({ exported: 2, dropped: { queue_full: 0, export_failed: 0 } });
  });

  it('continues a caller trace, and with parent-based sampling exports nothing of a trace the caller did not sample', async () => {
    const { tracer, exporter } = tracingTo(`${receiver.endpoint}/v1/traces`, samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }));
    const sampledCaller = trace.wrapSpanContext({ traceId: newTraceId(), spanId: 'a1b2c3d4e5f60718', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const unsampledCaller = trace.wrapSpanContext({ traceId: newTraceId(), spanId: 'a1b2c3d4e5f60719', traceFlags: TraceFlags.NONE, isRemote: true });
    const kept = tracer.startSpan('kept', {}, trace.setSpan(ROOT_CONTEXT, sampledCaller));
    const skipped = tracer.startSpan('skipped', {}, trace.setSpan(ROOT_CONTEXT, unsampledCaller));
    expect(kept.spanContext().traceId).toBe(sampledCaller.spanContext().traceId);
    expect(skipped.spanContext().traceId).toBe(unsampledCaller.spanContext().traceId);
    expect(skipped.isRecording()).toBe(false);
    expect(traceparentOf(kept)).toBe(`00-${kept.spanContext().traceId}-${kept.spanContext().spanId}-01`);
    expect(traceparentOf(skipped)).toBe(`00-${skipped.spanContext().traceId}-${skipped.spanContext().spanId}-00`);
    kept.end();
    skipped.end();
    await exporter.shutdown();

    expect(receiver.spans.find((span) => span.name === 'kept')?.parentSpanId).toBe('a1b2c3d4e5f60718');
    expect(receiver.spans.some((span) => span.traceId === unsampledCaller.spanContext().traceId)).toBe(false);
  });

  it('is counted the same by a receiver that does not parse the export (the benchmarks\' sink)', async () => {
    const counting = new OtlpReceiver({ keepSpans: false, parse: false });
    await counting.start();
    try {
      const { tracer, exporter } = tracingTo(`${counting.endpoint}/v1/traces`);
      const parent = tracer.startSpan('parent');
      for (let index = 0; index < 700; index++) tracer.startSpan(`child ${index}`, {}, trace.setSpan(ROOT_CONTEXT, parent)).end();
      parent.end();
      await exporter.shutdown();
      expect({ spans: counting.spanCount, exports: counting.exportCount }).toEqual({ spans: 701, exports: 2 });
    } finally {
      await counting.stop();
    }
  });

  it('sends spans of several scopes in one batch, each under its own scope, with text outside ASCII intact', async () => {
    const { exporter, warnings } = tracingTo(`${receiver.endpoint}/v1/traces`);
    const provider = new LeanTracerProvider(samplerFromEnv({}), (span) => exporter.enqueue(span));
    const traceId = newTraceId();
    const parent = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId, spanId: 'a1b2c3d4e5f60720', traceFlags: TraceFlags.SAMPLED, isRemote: true }));
    const scopes = [provider.getTracer('scope-a', '1.0.0'), provider.getTracer('scope-b'), provider.getTracer('scope-a', '1.0.0')];
    scopes.forEach((tracer, index) => tracer.startSpan(`Überweisung ${index} → 💶`, { attributes: { note: `naïve "quoted" \\ ${index}\n` } }, parent).end());
    await exporter.shutdown();

    const received = receiver.spans.filter((span) => span.traceId === traceId).sort((a, b) => a.name.localeCompare(b.name));
    expect(received.map(({ name, scopeName, attributes }) => ({ name, scopeName, note: attributes.note }))).toEqual(
      [0, 1, 2].map((index) => ({ name: `Überweisung ${index} → 💶`, scopeName: index === 1 ? 'scope-b' : 'scope-a', note: `naïve "quoted" \\ ${index}\n` })),
    );
    expect(exporter.counts).toEqual({ exported: 3, dropped: { queue_full: 0, export_failed: 0 } });
    expect(warnings).toEqual([]);
  });

  it('writes attribute keys the same whether or not it keeps their JSON (beyond 1,024 distinct keys it stops keeping)', async () => {
    const { tracer, exporter } = tracingTo(`${receiver.endpoint}/v1/traces`);
    const traceId = newTraceId();
    const parent = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId, spanId: 'a1b2c3d4e5f60722', traceFlags: TraceFlags.SAMPLED, isRemote: true }));
    for (let index = 0; index < 1_100; index++) {
      tracer.startSpan(`keyed ${index}`, { attributes: { 'http.route': '/keys', [`http.request.header.x-key-${index}`]: `value "${index}"` } }, parent).end();
    }
    await exporter.shutdown();

    const received = receiver.spans.filter((span) => span.traceId === traceId);
    expect(received).toHaveLength(1_100);
    for (const index of [0, 1_023, 1_024, 1_099]) {
      expect(received.find((span) => span.name === `keyed ${index}`)?.attributes).toEqual({ 'http.route': '/keys', [`http.request.header.x-key-${index}`]: `value "${index}"` });
    }
  });

  it('drops and counts a span it cannot write, without throwing into the code that ended it', async () => {
    const { tracer, exporter, warnings } = tracingTo(`${receiver.endpoint}/v1/traces`);
    const broken = {
      traceId: newTraceId(),
      spanId: 'a1b2c3d4e5f60721',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: { serialize: () => { throw new Error('unwritable trace state'); } },
    } as unknown as SpanContext;
    const span = tracer.startSpan('child of a broken caller', {}, trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(broken)));
    expect(() => span.end()).not.toThrow();
    tracer.startSpan('healthy').end();
    await exporter.shutdown();

    expect(exporter.counts).toEqual({ exported: 1, dropped: { queue_full: 0, export_failed: 1 } });
    expect(warnings).toEqual(['a span could not be written as OTLP JSON and was dropped']);
  });

  it('samples about the configured share of new traces, the same way for the same trace id', () => {
    const sampler = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' });
    const ids = Array.from({ length: 20_000 }, () => newTraceId());
    const share = ids.filter((id) => sampler(undefined, id)).length / ids.length;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
    expect(ids.slice(0, 500).map((id) => sampler(undefined, id))).toEqual(ids.slice(0, 500).map((id) => sampler(undefined, id)));
    expect(ids.some((id) => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' })(undefined, id))).toBe(false);
  });

  it('refuses a sampler, ratio, endpoint or header setting it cannot honour, naming the variable', () => {
    const problem = (build: () => unknown): string => {
      try {
        build();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigurationError);
        return (error as Error).message;
      }
      throw new Error('expected a ConfigurationError');
    };
    expect(problem(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' }))).toContain('OTEL_TRACES_SAMPLER must be one of');
    expect(problem(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }))).toContain('OTEL_TRACES_SAMPLER_ARG');
    expect(problem(() => otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318' }))).toContain('OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL');
    expect(problem(() => otlpHeaders({ OTEL_EXPORTER_OTLP_HEADERS: 'authorization' }))).toContain('OTEL_EXPORTER_OTLP_HEADERS');
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' })).toBe('http://jaeger:4318/v1/traces');
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/custom' })).toBe('https://collector/custom');
    expect(otlpHeaders({ OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc, x-tenant = ops' })).toEqual({ authorization: 'Bearer abc', 'x-tenant': 'ops' });
  });

  it('writes span times as nanosecond strings without losing digits', () => {
    expect(unixNanoString(1_700_000_000_123.5)).toBe('1700000000123500000');
    expect(unixNanoString(1_700_000_000_000)).toBe('1700000000000000000');
    expect(unixNanoString(999.000_25)).toBe('999000250');
  });
});

describe('lean tracing: when the collector is not there', () => {
  it('drops and counts what a refused collector did not take, and warns', async () => {
    const closedPort = await freePort();
    const { tracer, exporter, warnings } = tracingTo(`http://127.0.0.1:${closedPort}/v1/traces`);
    for (let index = 0; index < 20; index++) tracer.startSpan(`work ${index}`).end();
    await waitFor('the failed export', () => (exporter.counts.dropped.export_failed === 20 ? true : undefined), 5_000);
    await exporter.shutdown();
    expect(exporter.counts).toEqual({ exported: 0, dropped: { queue_full: 0, export_failed: 20 } });
    expect(warnings).toContain('span export failed: spans are being dropped (collector unreachable or refusing)');
  });

  describe('a collector that accepts connections and never answers', () => {
    let hung: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      hung = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => hung.close(() => resolve()));
    });

    it('keeps at most maxQueueSize spans, counts the rest as queue_full, and shuts down within the export timeout', async () => {
      const { port } = hung.address() as { port: number };
      const { tracer, exporter, warnings } = tracingTo(`http://127.0.0.1:${port}/v1/traces`, samplerFromEnv({}), {
        maxQueueSize: 100,
        maxBatchSize: 10,
        exportTimeoutMs: 500,
      });
      for (let index = 0; index < 1_000; index++) tracer.startSpan(`work ${index}`).end();
      // One batch of 10 is in flight to the hung collector; 100 wait; the rest could not be kept.
      expect(exporter.counts.dropped.queue_full).toBe(890);
      expect(warnings).toContain('span queue full: spans are being dropped (collector slow or unreachable)');

      const shutdownStarted = Date.now();
      await exporter.shutdown();
      expect(Date.now() - shutdownStarted).toBeLessThan(2_000);
      expect(exporter.counts.exported).toBe(0);
      expect(exporter.counts.dropped.queue_full + exporter.counts.dropped.export_failed).toBe(1_000);
    });
  });
});
