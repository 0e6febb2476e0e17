/*
 * Redaction that cannot be switched off: secrets and card data are removed from every value of a
 * log call, at any depth, before pino serialises it. Values are copied only where something changes,
 * so the common case (nothing sensitive) allocates nothing.
 */

export const REDACTED = '[REDACTED]';
const TRUNCATED = '[Truncated]';
const MAX_DEPTH = 8;

const SENSITIVE_KEY =
  /pass(word|wd|phrase)?$|^pwd$|secret|token|authorization|cookie|^cvv2?$|^cvc2?$|card_?(security|verification)|api_?key|private_?key|^pin$|^otp$/i;
// Keys whose numeric values are times or sizes, never card numbers.
const NUMERIC_NON_CARD_KEY = /time|timestamp|_at$|_ms$|duration|bytes|count|size|^@/i;

// A run of at least 13 digits, written whole or in groups separated by single spaces or dashes.
const DIGIT_RUN = /\d(?:[ -]?\d){12,}/g;
const AUTH_SCHEME_CREDENTIAL = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const SECRET_ASSIGNMENT = /\b(password|passwd|pwd|token|access_token|refresh_token|secret|api_key|apikey|cvv)=([^&\s"']+)/gi;

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let doubled = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (doubled) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    doubled = !doubled;
  }
  return sum % 10 === 0;
}

function maskCard(digits: string): string {
  return `****${digits.slice(-4)}`;
}

/**
 * Masks every card number inside one digit run. Card numbers are written whole or in groups, so each
 * contiguous span of groups holding 13 to 19 digits is a candidate: a stray digit before the card
 * ("qty 1 4111 1111 1111 1111") must not hide it.
 */
function maskCardsInRun(run: string): string {
  const groups = run.split(/[ -]/);
  if (groups.length === 1) {
    return run.length <= 19 && passesLuhn(run) ? maskCard(run) : run;
  }
  const output: string[] = [];
  let masked = false;
  let i = 0;
  while (i < groups.length) {
    let digits = '';
    let longest = -1;
    for (let j = i; j < groups.length && digits.length + groups[j].length <= 19; j++) {
      digits += groups[j];
      if (digits.length >= 13 && passesLuhn(digits)) longest = j;
    }
    if (longest === -1) {
      output.push(groups[i]);
      i += 1;
    } else {
      output.push(maskCard(groups.slice(i, longest + 1).join('')));
      masked = true;
      i = longest + 1;
    }
  }
  return masked ? output.join(' ') : run;
}

export function redactString(value: string): string {
  let result = value;
  if (result.length >= 13) result = result.replace(DIGIT_RUN, maskCardsInRun);
  if (result.length >= 10) {
    result = result
      .replace(AUTH_SCHEME_CREDENTIAL, `$1 ${REDACTED}`)
      .replace(JWT, REDACTED)
      .replace(SECRET_ASSIGNMENT, `$1=${REDACTED}`);
  }
  return result;
}

function redactNumber(key: string | undefined, value: number): number | string {
  if (!Number.isSafeInteger(value) || value < 1e12) return value;
  if (key !== undefined && NUMERIC_NON_CARD_KEY.test(key)) return value;
  const digits = String(value);
  return digits.length <= 19 && passesLuhn(digits) ? maskCard(digits) : value;
}

function redactError(error: Error, depth: number): Record<string, unknown> {
  const plain: Record<string, unknown> = {
    type: error.name,
    message: redactString(error.message),
    stack: error.stack === undefined ? undefined : redactString(error.stack),
  };
  for (const [key, inner] of Object.entries(error)) plain[key] = redactEntry(key, inner, depth + 1);
  if (error.cause !== undefined) plain.cause = redactEntry('cause', error.cause, depth + 1);
  return plain;
}

function redactEntry(key: string | undefined, value: unknown, depth: number): unknown {
  if (key !== undefined && SENSITIVE_KEY.test(key) && value !== undefined && value !== null && value !== '') {
    return REDACTED;
  }
  switch (typeof value) {
    case 'string':
      return redactString(value);
    case 'number':
      return redactNumber(key, value);
    case 'object':
      if (value === null) return value;
      if (depth >= MAX_DEPTH) return TRUNCATED;
      if (value instanceof Error) return redactError(value, depth);
      if (Array.isArray(value)) return redactArray(value, depth);
      if (value instanceof Date || Buffer.isBuffer(value)) return value;
      return redactObject(value as Record<string, unknown>, depth);
    default:
      return value;
  }
}

function redactArray(values: unknown[], depth: number): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    const redacted = redactEntry(undefined, values[i], depth + 1);
    if (redacted !== values[i]) {
      copy ??= values.slice();
      copy[i] = redacted;
    }
  }
  return copy ?? values;
}

function redactObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const original = object[key];
    const redacted = redactEntry(key, original, depth + 1);
    if (redacted !== original) {
      copy ??= { ...object };
      copy[key] = redacted;
    }
  }
  return copy ?? object;
}

/** Returns the value with every secret and card number removed; the input is never modified. */
export function redact<T>(value: T): T {
  return redactEntry(undefined, value, 0) as T;
}
