import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Deepest nesting of arrays and objects a JSON body may have. The platform's payloads are at most three
 * levels deep (an Alertmanager webhook); 32 leaves room for any honest client. Code downstream walks
 * bodies recursively (Nest's ValidationPipe, class-transformer, the gateway's JSON.stringify) and
 * overflows the stack from a few thousand levels, which a 20 KB body reaches: without this bound a
 * body far under the size limit answers 500.
 */
export const MAX_JSON_DEPTH = 32;

// fatal: invalid UTF-8 is refused instead of being replaced by U+FFFD, which would change what the
// client sent without saying so. A leading BOM is still dropped.
const UTF8 = new TextDecoder('utf-8', { fatal: true });

// With the u flag a surrogate pair is one code point, so this matches only a surrogate standing alone:
// a string no UTF-8 encoder, database or validator can handle (validator's isEmail throws on one).
const LONE_SURROGATE = /\p{Cs}/u;

type ParseDone = (error: Error | null, body?: unknown) => void;

/**
 * Replaces the application/json parser (Nest's, or Fastify's own) with one that keeps Fastify's
 * protection against `__proto__` and `constructor.prototype` and also refuses, with 400, bodies that
 * are not UTF-8, nest deeper than MAX_JSON_DEPTH, or contain a string that is not well-formed UTF-16
 * (a lone surrogate, which only a `\uD800`-style escape can produce).
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  const config = fastify.initialConfig as { onProtoPoisoning?: 'error' | 'remove' | 'ignore'; onConstructorPoisoning?: 'error' | 'remove' | 'ignore' };
  const parseJson = fastify.getDefaultJsonParser(config.onProtoPoisoning ?? 'error', config.onConstructorPoisoning ?? 'error');
  if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request: FastifyRequest, body: Buffer, done: ParseDone) => {
    let text: string;
    try {
      text = UTF8.decode(body);
    } catch {
      done(new BadRequestException('the request body is not valid UTF-8'));
      return;
    }
    parseJson(request, text, (error: Error | null, value?: unknown) => {
      if (error) return done(error);
      const problem = unacceptableJson(value);
      if (problem) return done(new BadRequestException(problem));
      done(null, value);
    });
  });
}

/** Why a parsed body is refused, or undefined. Iterative: the value may be nested thousands deep. */
export function unacceptableJson(value: unknown): string | undefined {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: current, depth } = pending.pop()!;
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return 'the request body contains a string that is not well-formed Unicode (a lone UTF-16 surrogate)';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `the request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`;
    if (Array.isArray(current)) {
      for (const item of current) pending.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(current)) {
      if (LONE_SURROGATE.test(key)) return 'the request body contains a property name that is not well-formed Unicode (a lone UTF-16 surrogate)';
      pending.push({ value: item, depth: depth + 1 });
    }
  }
  return undefined;
}
