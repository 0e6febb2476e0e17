import type { Attributes, AttributeValue, Link } from '@opentelemetry/api';
import type { FinishedSpan, InstrumentationScope, SpanEvent } from './recorded-span';
import { unixNanoString } from './span-clock';

/*
 * OTLP/HTTP JSON (opentelemetry-proto's ExportTraceServiceRequest in the protobuf JSON mapping, ids in
 * hex as OTLP/JSON requires). The SDK's exporter first builds an object tree per span and then
 * stringifies it: twice the work (docs/performance.md). Each span is written out when it ends, and a
 * batch only joins bytes: encoding 512 spans at once held the event loop for 3 to 5 ms, which every
 * request arriving meanwhile waited out (docs/performance.md, "Span export in one burst").
 */

/** A span written as OTLP JSON, waiting for its batch. */
export interface EncodedSpan {
  readonly scope: InstrumentationScope;
  readonly json: Buffer;
}

const COMMA = Buffer.from(',');
const END_OF_SCOPE = Buffer.from(']}');
const END_OF_REQUEST = Buffer.from(']}]}');

/** The resource part of every export: the service's attributes, encoded once at start-up. */
export function encodeResource(attributes: Attributes): string {
  return `{"attributes":${encodeAttributes(attributes)},"droppedAttributesCount":0}`;
}

export function encodeSpan(span: FinishedSpan): EncodedSpan {
  return { scope: span.scope, json: Buffer.from(spanJson(span)) };
}

/** One export request with `spans`, grouped by instrumentation scope as OTLP wants them. */
export function encodeExportRequest(resource: string, spans: readonly EncodedSpan[]): Buffer {
  const byScope = new Map<InstrumentationScope, Buffer[]>();
  for (const span of spans) {
    let encoded = byScope.get(span.scope);
    if (!encoded) byScope.set(span.scope, (encoded = []));
    encoded.push(span.json);
  }
  const parts: Buffer[] = [Buffer.from(`{"resourceSpans":[{"resource":${resource},"scopeSpans":[`)];
  for (const [scope, encoded] of byScope) {
    const version = scope.version === undefined ? '' : `,"version":${JSON.stringify(scope.version)}`;
    const separator = parts.length === 1 ? '' : ',';
    parts.push(Buffer.from(`${separator}{"scope":{"name":${JSON.stringify(scope.name)}${version}},"spans":[`));
    for (let i = 0; i < encoded.length; i++) {
      if (i > 0) parts.push(COMMA);
      parts.push(encoded[i]);
    }
    parts.push(END_OF_SCOPE);
  }
  parts.push(END_OF_REQUEST);
  return Buffer.concat(parts);
}

function spanJson(span: FinishedSpan): string {
  const { traceId, spanId, traceState } = span.context;
  let json = `{"traceId":"${traceId}","spanId":"${spanId}"`;
  if (traceState) json += `,"traceState":${JSON.stringify(traceState.serialize())}`;
  if (span.parentSpanId) json += `,"parentSpanId":"${span.parentSpanId}"`;
  json += `,"name":${JSON.stringify(span.name)},"kind":${span.kind + 1}`;
  json += `,"startTimeUnixNano":"${unixNanoString(span.startMs)}","endTimeUnixNano":"${unixNanoString(span.endMs)}"`;
  json += `,"attributes":${encodeAttributes(span.attributes)},"droppedAttributesCount":${span.droppedAttributes}`;
  if (span.events.length > 0) json += `,"events":[${span.events.map(encodeEvent).join(',')}]`;
  if (span.links.length > 0) json += `,"links":[${span.links.map(encodeLink).join(',')}]`;
  const message = span.status.message ? `,"message":${JSON.stringify(span.status.message)}` : '';
  return `${json},"status":{"code":${span.status.code}${message}}}`;
}

function encodeEvent(event: SpanEvent): string {
  return `{"timeUnixNano":"${unixNanoString(event.timeMs)}","name":${JSON.stringify(event.name)},"attributes":${encodeAttributes(event.attributes)},"droppedAttributesCount":0}`;
}

function encodeLink(link: Link): string {
  const traceState = link.context.traceState ? `,"traceState":${JSON.stringify(link.context.traceState.serialize())}` : '';
  return `{"traceId":"${link.context.traceId}","spanId":"${link.context.spanId}"${traceState},"attributes":${encodeAttributes(link.attributes)},"droppedAttributesCount":0}`;
}

function encodeAttributes(attributes: Attributes | undefined): string {
  if (!attributes) return '[]';
  let json = '[';
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    if (json.length > 1) json += ',';
    json += keyPrefix(key);
    json += encodeValue(value);
    json += '}';
  }
  return json + ']';
}

/*
 * Attribute keys come from code and repeat on every span: their JSON is written once and kept. A quarter
 * fewer instructions and a sixth less garbage per span (docs/performance.md, "Allocation per request").
 * Bounded, for instrumentations whose keys carry names from the outside (header names, say).
 */
const MAX_KEPT_KEY_PREFIXES = 1_024;
const keyPrefixes = new Map<string, string>();

function keyPrefix(key: string): string {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `{"key":${JSON.stringify(key)},"value":`;
    if (keyPrefixes.size < MAX_KEPT_KEY_PREFIXES) keyPrefixes.set(key, prefix);
  }
  return prefix;
}

function encodeValue(value: AttributeValue | null | undefined): string {
  switch (typeof value) {
    case 'string':
      return `{"stringValue":${JSON.stringify(value)}}`;
    case 'boolean':
      return `{"boolValue":${value}}`;
    case 'number':
      if (Number.isSafeInteger(value)) return `{"intValue":${value}}`;
      // The protobuf JSON mapping spells the non-finite doubles as strings.
      return Number.isFinite(value) ? `{"doubleValue":${value}}` : `{"doubleValue":"${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'}"}`;
    default:
      if (Array.isArray(value)) return `{"arrayValue":{"values":[${(value as Array<AttributeValue | null | undefined>).map(encodeValue).join(',')}]}}`;
      return '{}';
  }
}
