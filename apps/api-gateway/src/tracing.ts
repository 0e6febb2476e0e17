// Imported first by main.ts: tracing must be set up before anything it instruments is loaded.
import { startTracing } from '@ai-finance/observability';

export const tracing = startTracing({ serviceName: 'api-gateway' });
