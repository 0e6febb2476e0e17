import { randomFillSync } from 'node:crypto';

/*
 * Trace and span ids cut from a block of random bytes filled 4 KiB at a time: one fill serves about
 * 170 spans, where generating each id on its own costs a call per id (docs/performance.md).
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

const ALL_ZERO_TRACE_ID = '0'.repeat(32);
const ALL_ZERO_SPAN_ID = '0'.repeat(16);

/** 16 random bytes as 32 lowercase hex digits; never all zero, which W3C trace context forbids. */
export function newTraceId(): string {
  const id = randomHex(16);
  return id === ALL_ZERO_TRACE_ID ? newTraceId() : id;
}

/** 8 random bytes as 16 lowercase hex digits; never all zero. */
export function newSpanId(): string {
  const id = randomHex(8);
  return id === ALL_ZERO_SPAN_ID ? newSpanId() : id;
}
