import { loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

export interface MessagingConfig {
  url: string;
  exchange: string;
  queuePrefix: string;
}

/** Reads RABBITMQ_URL, EVENTS_EXCHANGE and RABBITMQ_QUEUE_PREFIX. */
export function loadMessagingConfig(source: NodeJS.ProcessEnv = process.env): MessagingConfig {
  const values = loadEnv(
    {
      RABBITMQ_URL: z.string().url().refine((value) => /^amqps?:\/\//.test(value), 'must be an amqp:// URL').default('amqp://127.0.0.1:5672'),
      EVENTS_EXCHANGE: z.string().min(1).default('ai-finance.events'),
      RABBITMQ_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore only').default(''),
    },
    source,
  );
  return { url: values.RABBITMQ_URL, exchange: values.EVENTS_EXCHANGE, queuePrefix: values.RABBITMQ_QUEUE_PREFIX };
}
