import { createFastifyAdapter, ObservabilityModule, startService, type TracingHandle } from '@ai-finance/observability';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Variant } from '../variants';
import { TRIVIAL_ROUTE } from './route';

@Controller()
class PingController {
  @Get(TRIVIAL_ROUTE.slice(1))
  ping(): { status: string; service: string } {
    return { status: 'ok', service: 'bench-trivial' };
  }
}

/** What the library's HealthController answers, for the bare variants that do not have it. */
@Controller('health')
class LivenessController {
  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ imports: [ObservabilityModule.forRoot({ serviceName: 'bench-trivial' })], controllers: [PingController] })
class InstrumentedTrivialModule {}

@Module({ controllers: [PingController, LivenessController] })
class BareTrivialModule {}

/** With the library: the same start-up as every service. Without: a bare Nest application on Fastify. */
export async function startTrivialService(variant: Variant, tracing: TracingHandle | undefined): Promise<void> {
  const port = Number(process.env.PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error('PORT must be set to the port to listen on');
  if (variant.library && tracing) {
    await startService(InstrumentedTrivialModule, { serviceName: 'bench-trivial', defaultPort: port, tracing });
    return;
  }
  const app = await NestFactory.create<NestFastifyApplication>(BareTrivialModule, createFastifyAdapter(), { logger: false });
  await app.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
