import fc from 'fast-check';
import { passesLuhn, redact, redactString, REDACTED } from '../src/logging/redaction';

describe('redaction', () => {
  it('removes secrets by key at any depth without touching the caller object', () => {
    const input = {
      user: { password: 'p@ss', profile: { api_key: 'k-123', nested: [{ refreshToken: 'r-1' }] } },
      headers: { authorization: 'Bearer abc', cookie: 'sid=1', 'set-cookie': ['sid=2'] },
      card: { cvv: '123', cvc: '456' },
      amount: 1999,
    };
    const snapshot = JSON.stringify(input);
    expect(redact(input)).toEqual({
      user: { password: REDACTED, profile: { api_key: REDACTED, nested: [{ refreshToken: REDACTED }] } },
      headers: { authorization: REDACTED, cookie: REDACTED, 'set-cookie': REDACTED },
      card: { cvv: REDACTED, cvc: REDACTED },
      amount: 1999,
    });
    expect(JSON.stringify(input)).toBe(snapshot);
  });

  it('masks card numbers that pass Luhn to their last four digits, spaced, dashed or not', () => {
    expect(redactString('card 4111 1111 1111 1111 ok')).toBe('card ****1111 ok');
    expect(redactString('4111111111111111')).toBe('****1111');
    expect(redactString('4111-1111-1111-1111')).toBe('****1111');
    expect(redactString('amex 378282246310005')).toBe('amex ****0005');
    expect(redact({ pan: 4111111111111111 })).toEqual({ pan: '****1111' });
  });

  it('keeps digit runs that are not card numbers', () => {
    expect(redactString('order 4111111111111112')).toBe('order 4111111111111112'); // fails Luhn
    expect(redactString('id 123456789012')).toBe('id 123456789012'); // 12 digits
    expect(redact({ timestamp_ms: 1732623456789 })).toEqual({ timestamp_ms: 1732623456789 });
  });

  it('removes bearer tokens, JWTs and secrets in query strings inside free text', () => {
    expect(redactString('Authorization: Bearer abc.def-ghi')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactString('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature')).toBe(`token ${REDACTED}`);
    expect(redactString('/login?user=a&password=hunter2&x=1')).toBe(`/login?user=a&password=${REDACTED}&x=1`);
  });

  it('redacts inside errors: message, stack and own fields', () => {
    const error = Object.assign(new Error('charge failed for 4111111111111111'), { token: 't-1' });
    const redacted = redact({ error }) as { error: { message: string; stack: string; token: string } };
    expect(redacted.error.message).toBe('charge failed for ****1111');
    expect(redacted.error.stack).not.toContain('4111111111111111');
    expect(redacted.error.token).toBe(REDACTED);
  });

  it('stops at a bounded depth, so cyclic or huge objects cannot hang a log call', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(JSON.stringify(redact(cyclic))).toContain('[Truncated]');
  });

  it('masks the card number in "qty 1 4111 1111 1111 1111" despite the digit before it', () => {
    expect(redactString('qty 1 4111 1111 1111 1111 ok')).toBe('qty 1 ****1111 ok');
  });

  it('never lets a Luhn-valid card number of 13 to 19 digits through, wherever it sits in text', () => {
    const cardNumber = fc
      .array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 18 })
      .map((digits) => {
        const body = digits.join('');
        for (let check = 0; check <= 9; check++) if (passesLuhn(body + check)) return body + check;
        throw new Error('unreachable: one check digit always fits');
      });
    const separator = fc.constantFrom('', ' ', '-');
    fc.assert(
      fc.property(cardNumber, separator, fc.string(), fc.string(), (card, sep, before, after) => {
        const written = card.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
        const output = redactString(`${before} ${written} ${after}`);
        // Digits right next to the card may join the masked span, so only the mask itself is certain.
        expect(output).not.toContain(written);
        expect(output).toContain('****');
      }),
      { numRuns: 2_000 },
    );
  });
});
