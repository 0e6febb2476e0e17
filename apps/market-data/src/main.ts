import { tracing } from './tracing';
import { startService } from '@ai-finance/observability';
import { AppModule } from './app.module';

void startService(AppModule, { serviceName: 'market-data', defaultPort: 3040, tracing, trustProxyByDefault: true }).catch((error: unknown) => {
  process.stderr.write(`market-data failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
