let cachedAtMs = -1;
let cached = '';

/**
 * `new Date().toISOString()`, computed once per millisecond: a busy service writes many lines within
 * the same millisecond, and formatting the date was a visible share of each line's cost.
 */
export function isoTimestamp(): string {
  const now = Date.now();
  if (now !== cachedAtMs) {
    cachedAtMs = now;
    cached = new Date(now).toISOString();
  }
  return cached;
}
