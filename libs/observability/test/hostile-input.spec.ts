import { Body, Controller, Get, Module, Param, Post, Query, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import fc from 'fast-check';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createFastifyAdapter, ObservabilityModule } from '../src';
import { MAX_JSON_DEPTH, unacceptableJson } from '../src/bootstrap/json-body-parser';
import { propertiesHiddenFromValidation } from '../src/bootstrap/strict-validation-pipe';
import { LogCapture } from './log-capture';

class CreateThingBody {
  @IsString() name!: string;
}

class ListThingsQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) limit?: number;
}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: CreateThingBody): CreateThingBody {
    return body;
  }

  /** Takes any JSON: only the parser stands between the body and the handler. */
  @Post('any')
  any(@Body() body: unknown): { received: unknown } {
    return { received: body };
  }

  @Get()
  list(@Query() query: ListThingsQuery): ListThingsQuery {
    return query;
  }

  @Get(':id')
  one(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Module({ imports: [ObservabilityModule.forRoot({ serviceName: 'hostile-test', logDestination: new LogCapture() })], controllers: [ThingsController] })
class HostileTestModule {}

const nested = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

/** Depth as the parser counts it: the outermost array or object is level 1. Recursive, for values of tests only. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

describe('hostile request input, in an app built as startService builds it', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(HostileTestModule, createFastifyAdapter(), { logger: false });
    await app.init();
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  // Sent as given: superagent would serialize a Buffer as JSON of its bytes.
  const post = (path: string, body: string | Buffer, contentType = 'application/json') =>
    request(app.getHttpServer()).post(path).set('content-type', contentType).serialize((raw: string) => raw).send(body as string);

  const expectPlatformError = (response: request.Response, statusCode: number, message: string | RegExp) => {
    expect(response.status).toBe(statusCode);
    expect(response.body).toMatchObject({ statusCode, error: expect.any(String), message: expect.stringMatching(message), request_id: response.headers['x-request-id'] });
  };

  it(`accepts JSON nested ${MAX_JSON_DEPTH} levels deep and refuses one level more with 400`, async () => {
    await post('/things/any', nested(MAX_JSON_DEPTH)).expect(201);
    expectPlatformError(await post('/things/any', nested(MAX_JSON_DEPTH + 1)), 400, /deeper than 32 levels/);
  });

  it('answers 400, not 500, for nesting that overflowed the stack in validation (5,000 levels in 20 KB)', async () => {
    expectPlatformError(await post('/things', `{"name":${nested(5_000)}}`), 400, /deeper than 32 levels/);
    expectPlatformError(await post('/things/any', nested(200_000)), 400, /deeper than 32 levels/);
  });

  it('refuses a lone UTF-16 surrogate in a value or a property name with 400, and keeps a proper pair', async () => {
    expectPlatformError(await post('/things', '{"name":"\\ud800@b.co"}'), 400, /not well-formed Unicode/);
    expectPlatformError(await post('/things', '{"name":"x\\udfff"}'), 400, /not well-formed Unicode/);
    expectPlatformError(await post('/things/any', '{"\\udc00":1}'), 400, /property name that is not well-formed/);
    const pair = await post('/things', '{"name":"\\ud83d\\ude00"}').expect(201);
    expect(pair.body).toEqual({ name: '😀' });
  });

  it('refuses a body that is not UTF-8 with 400 instead of replacing what it cannot decode', async () => {
    expectPlatformError(await post('/things', Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])), 400, /not valid UTF-8/);
    // CESU-8, how a lone surrogate would look as raw bytes.
    expectPlatformError(await post('/things', Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])), 400, /not valid UTF-8/);
  });

  it("keeps Fastify's prototype-poisoning protection", async () => {
    expectPlatformError(await post('/things/any', '{"__proto__":{"admin":true}}'), 400, /./);
    expectPlatformError(await post('/things/any', '{"constructor":{"prototype":{"admin":true}}}'), 400, /./);
  });

  it('answers a form body with 415 in the shared shape, as docs/api.md promises for anything not JSON', async () => {
    expectPlatformError(await post('/things', 'name=x', 'application/x-www-form-urlencoded'), 415, /./);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'prototype'])(
    'refuses a body property named %s like any other unknown one',
    async (name) => {
      expectPlatformError(await post('/things', JSON.stringify({ name: 'x', [name]: 1 })), 400, new RegExp(`property ${name} should not exist`));
    },
  );

  it.each(['constructor=1', 'toString=1', 'valueOf=x', 'hasOwnProperty=1', '__proto__=1', 'limit=5&prototype=1'])('refuses the query %s with 400', async (query) => {
    expectPlatformError(await request(app.getHttpServer()).get(`/things?${query}`), 400, /should not exist/);
  });

  it('still accepts a valid body and query', async () => {
    await post('/things', '{"name":"x"}').expect(201, { name: 'x' });
    await request(app.getHttpServer()).get('/things?limit=5').expect(200, { limit: 5 });
  });

  it('answers a path that is not valid percent-encoding with 400 in the shared shape', async () => {
    const response = await request(app.getHttpServer()).get('/things/%zz').set('x-request-id', 'bad-url-1');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('not a valid url component'), request_id: 'bad-url-1' });
    expect(response.headers['x-request-id']).toBe('bad-url-1');
  });

  it('answers an expectation other than 100-continue with 417 in the shared shape, not a bare one from Node', async () => {
    // node:http on a real port: superagent cannot send Expect, and Fastify's inject bypasses Node's server.
    const server = app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port, path: '/things/1', headers: { expect: 'teapot', 'x-request-id': 'expect-1' }, agent: false }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(answer).toEqual({ status: 417, body: { statusCode: 417, error: 'Expectation Failed', message: expect.stringContaining('100-continue'), request_id: 'expect-1' } });
  });

  it('answers a path parameter over the length limit with 414 in the shared shape', async () => {
    const response = await request(app.getHttpServer()).get(`/things/${'a'.repeat(200)}`);
    expect(response.status).toBe(414);
    expect(response.body).toMatchObject({ statusCode: 414, error: 'Uri Too Long', message: expect.any(String), request_id: response.headers['x-request-id'] });
  });
});

describe('unacceptableJson', () => {
  // Lone surrogates included: a unit of any UTF-16 code unit.
  const anyUtf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 6 });
  const isWellFormed = (text: string) => !/\p{Cs}/u.test(text);
  const allStringsWellFormed = (value: unknown): boolean =>
    typeof value === 'string'
      ? isWellFormed(value)
      : value !== null && typeof value === 'object'
        ? Object.entries(value).every(([key, item]) => isWellFormed(key) && allStringsWellFormed(item))
        : true;

  it('refuses exactly the values nested too deep or holding a string that is not well-formed', () => {
    const value = fc.letrec<{ json: unknown }>((tie) => ({
      json: fc.oneof(
        { depthSize: 'small', maxDepth: MAX_JSON_DEPTH + 4 },
        fc.constantFrom(null, true, 0, 1.5),
        anyUtf16,
        fc.array(tie('json'), { maxLength: 2 }),
        fc.dictionary(anyUtf16, tie('json'), { maxKeys: 2 }),
      ),
    })).json;
    const deepened = fc.tuple(value, fc.nat(MAX_JSON_DEPTH + 2)).map(([inner, wrappers]) => {
      let wrapped = inner;
      for (let i = 0; i < wrappers; i += 1) wrapped = i % 2 === 0 ? [wrapped] : { k: wrapped };
      return wrapped;
    });
    fc.assert(
      fc.property(deepened, (json) => {
        const acceptable = depthOf(json) <= MAX_JSON_DEPTH && allStringsWellFormed(json);
        expect(unacceptableJson(json) === undefined).toBe(acceptable);
      }),
      { numRuns: 500 },
    );
  });
});

describe('propertiesHiddenFromValidation', () => {
  it('names every property that validation would drop silently, at any depth, and nothing else', () => {
    expect(propertiesHiddenFromValidation({ a: 1, toString: 1, b: { valueOf: 2, c: [{ constructor: 3 }] } })).toEqual(['b.c.0.constructor', 'b.valueOf', 'toString']);
    expect(propertiesHiddenFromValidation(JSON.parse('{"__proto__":1}'))).toEqual(['__proto__']);
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        const serialized = JSON.stringify(json) ?? '';
        const mentions = Object.getOwnPropertyNames(Object.prototype).concat('prototype').some((name) => serialized.includes(`"${name}":`));
        if (!mentions) expect(propertiesHiddenFromValidation(json)).toEqual([]);
      }),
    );
  });
});
