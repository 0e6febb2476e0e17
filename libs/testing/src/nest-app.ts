import type { DynamicModule, NestApplicationOptions, Type } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';

export interface StartNestAppOptions {
  /** Options for the Fastify instance, e.g. `{ trustProxy: true }` as behind api-gateway. */
  fastify?: ConstructorParameters<typeof FastifyAdapter>[0];
  /** Options for the Nest application, e.g. `{ logger: false }`. */
  app?: NestApplicationOptions;
}

/**
 * Starts a service's root module in-process on Fastify, as its main.ts does, and waits until Fastify
 * is ready, so a test can send requests through `app.getHttpServer()` (or call `app.listen` for a
 * real port). Every service test starts its application this way; this keeps the four steps in one
 * place. The caller closes the application.
 */
export async function startNestApp(module: Type<unknown> | DynamicModule, options: StartNestAppOptions = {}): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(options.fastify), options.app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
