import { tracing } from './tracing';
import { startService } from '@ai-finance/observability';
import { AppModule } from './app.module';

void startService(AppModule, { serviceName: 'notification', defaultPort: 3080, tracing, trustProxyByDefault: true }).catch((error: unknown) => {
  process.stderr.write(`notification failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
