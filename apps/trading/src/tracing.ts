// Imported first by main.ts: tracing must patch pg and amqplib before anything loads them.
import { startTracing } from '@ai-finance/observability';

export const tracing = startTracing({ serviceName: 'trading' });
