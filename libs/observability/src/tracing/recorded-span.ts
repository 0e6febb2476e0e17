import {
  SpanStatusCode,
  type Attributes,
  type AttributeValue,
  type Exception,
  type Link,
  type Span,
  type SpanAttributes,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api';
import { epochMsOf, nowEpochMs } from './span-clock';

/** The scope (instrumentation library) that made a span: OTLP groups spans by it. */
export interface InstrumentationScope {
  name: string;
  version?: string;
}

export interface SpanEvent {
  name: string;
  timeMs: number;
  attributes?: Attributes;
}

/** A span once ended: what the exporter encodes. */
export interface FinishedSpan {
  readonly scope: InstrumentationScope;
  readonly context: SpanContext;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Attributes;
  readonly droppedAttributes: number;
  readonly events: readonly SpanEvent[];
  readonly links: readonly Link[];
  readonly status: SpanStatus;
}

/** Bounds that keep one span from growing without limit (a loop adding events, say). */
const MAX_ATTRIBUTES = 128;
const MAX_EVENTS = 128;
const MAX_LINKS = 128;
const MAX_ATTRIBUTE_VALUE_LENGTH = 4096;

const NO_EVENTS: SpanEvent[] = [];
const NO_LINKS: Link[] = [];
const UNSET: SpanStatus = { code: SpanStatusCode.UNSET };

/**
 * A sampled span: plain fields, attributes in one object, handed to `onEnd` once. Only what the
 * OpenTelemetry Span interface asks for, nothing the export does not need (docs/performance.md).
 */
export class RecordedSpan implements Span, FinishedSpan {
  readonly attributes: Attributes = {};
  droppedAttributes = 0;
  events: SpanEvent[] = NO_EVENTS;
  links: Link[] = NO_LINKS;
  status: SpanStatus = UNSET;
  endMs = 0;
  private attributeCount = 0;
  private ended = false;

  constructor(
    readonly scope: InstrumentationScope,
    readonly context: SpanContext,
    readonly parentSpanId: string | undefined,
    public name: string,
    readonly kind: SpanKind,
    readonly startMs: number,
    private readonly onEnd: (span: FinishedSpan) => void,
  ) {}

  spanContext(): SpanContext {
    return this.context;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.ended || value === undefined || value === null) return this;
    if (!(key in this.attributes)) {
      if (this.attributeCount >= MAX_ATTRIBUTES) {
        this.droppedAttributes++;
        return this;
      }
      this.attributeCount++;
    }
    this.attributes[key] = typeof value === 'string' && value.length > MAX_ATTRIBUTE_VALUE_LENGTH ? value.slice(0, MAX_ATTRIBUTE_VALUE_LENGTH) : value;
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: SpanAttributes | TimeInput, time?: TimeInput): this {
    if (this.ended || this.events.length >= MAX_EVENTS) return this;
    const timeGiven = typeof attributesOrTime === 'number' || attributesOrTime instanceof Date || Array.isArray(attributesOrTime);
    const event: SpanEvent = timeGiven
      ? { name, timeMs: epochMsOf(attributesOrTime as TimeInput) }
      : { name, timeMs: epochMsOf(time), attributes: attributesOrTime as SpanAttributes | undefined };
    if (this.events === NO_EVENTS) this.events = [];
    this.events.push(event);
    return this;
  }

  addLink(link: Link): this {
    if (this.ended || this.links.length >= MAX_LINKS) return this;
    if (this.links === NO_LINKS) this.links = [];
    this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended) return this;
    // OK is final; an error does not replace it, and UNSET replaces nothing (the API's rules).
    if (status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status = status;
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    this.ended = true;
    this.endMs = Math.max(this.startMs, endTime === undefined ? nowEpochMs() : epochMsOf(endTime));
    this.onEnd(this);
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else {
      const type = exception.name ?? (exception.code === undefined ? undefined : String(exception.code));
      if (type !== undefined) attributes['exception.type'] = type;
      if (exception.message !== undefined) attributes['exception.message'] = exception.message;
      if (exception.stack !== undefined) attributes['exception.stacktrace'] = exception.stack;
    }
    this.addEvent('exception', attributes, time);
  }
}
