import type { TimeInput } from '@opentelemetry/api';

/*
 * Span times are kept as milliseconds since the Unix epoch with a fraction (performance.timeOrigin plus
 * performance.now(), as the OpenTelemetry SDK does), and turned into OTLP's nanosecond strings only when
 * exported. At today's epoch a double still resolves a quarter of a microsecond.
 */
const TIME_ORIGIN_MS = performance.timeOrigin;

export function nowEpochMs(): number {
  return TIME_ORIGIN_MS + performance.now();
}

/** What the API accepts as a time: epoch ms, a performance.now() reading, a Date or an [s, ns] pair. */
export function epochMsOf(time: TimeInput | undefined): number {
  if (time === undefined) return nowEpochMs();
  if (typeof time === 'number') return time < TIME_ORIGIN_MS ? TIME_ORIGIN_MS + time : time;
  if (time instanceof Date) return time.getTime();
  return time[0] * 1e3 + time[1] / 1e6;
}

/** Epoch milliseconds as OTLP's decimal string of nanoseconds, without losing digits to a double. */
export function unixNanoString(epochMs: number): string {
  const seconds = Math.floor(epochMs / 1e3);
  const nanos = Math.min(999_999_999, Math.round((epochMs - seconds * 1e3) * 1e6));
  return seconds === 0 ? String(nanos) : `${seconds}${String(nanos).padStart(9, '0')}`;
}
