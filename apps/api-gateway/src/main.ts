import { tracing } from './tracing';
import { startService } from '@ai-finance/observability';
import { AppModule } from './app.module';

void startService(AppModule, { serviceName: 'api-gateway', defaultPort: 3000, tracing }).catch((error: unknown) => {
  process.stderr.write(`api-gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
