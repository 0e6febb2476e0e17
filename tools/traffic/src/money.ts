/*
 * Prices and amounts cross the API as decimal strings. The simulator keeps money in integer cents and
 * quantities in integer steps of 10^-decimals, so what it sends is always exactly what it meant.
 */

const MONEY = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/** `"189.63"` → 18963; undefined for anything that is not a non-negative amount with at most two decimals. */
export function parseCents(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = MONEY.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** 18963 → `"189.63"`. */
export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents) || cents < 0) throw new RangeError(`${cents} is not a whole, non-negative number of cents`);
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** 25 steps of 0.001 → `"0.025"`; whole steps → `"7"`. No trailing zeros. */
export function formatQuantity(steps: number, decimals: number): string {
  if (!Number.isSafeInteger(steps) || steps <= 0) throw new RangeError(`${steps} is not a positive whole number of steps`);
  if (decimals === 0) return String(steps);
  const digits = String(steps).padStart(decimals + 1, '0');
  const whole = digits.slice(0, -decimals);
  const fraction = digits.slice(-decimals).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** `"0.025"` with 3 decimals → 25; undefined when it has more decimals than that or is not a quantity. */
export function parseSteps(text: unknown, decimals: number): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{1,12})(?:\.(\d{1,8}))?$/.exec(text);
  if (!match) return undefined;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > decimals) return undefined;
  return Number(match[1]) * 10 ** decimals + Number(fraction.padEnd(decimals, '0') || '0');
}
