import { createHash } from 'node:crypto';

/** prev_hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with the keys of every object sorted (by UTF-16 code unit), no whitespace: the exact text
 * stored in `payload_canonical` and hashed. Values that JSON cannot carry (undefined, functions)
 * are dropped from objects as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined && typeof item !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

export interface ChainedFields {
  prevHash: string;
  sequence: number | string;
  eventId: string;
  eventType: string;
  payloadCanonical: string;
  /** ISO-8601 with milliseconds, as Date.prototype.toISOString writes it. */
  recordedAt: string;
}

/**
 * The hash of one audit row: SHA-256, hex, of the fields joined by "\n" in this order:
 * prev_hash, sequence (decimal), event_id, event_type, payload_canonical, recorded_at (ISO-8601).
 * None of the fields can contain a raw newline: canonical JSON escapes it, and event ids and types
 * with control characters are refused before they are chained.
 */
export function chainHash(fields: ChainedFields): string {
  const text = [fields.prevHash, String(fields.sequence), fields.eventId, fields.eventType, fields.payloadCanonical, fields.recordedAt].join('\n');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
