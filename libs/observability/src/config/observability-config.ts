import { z } from 'zod';
import { DEFAULT_SHIPPER_OPTIONS } from '../logging/elasticsearch-shipper';
import type { LogLevel } from '../logging/service-logger';
import { env, loadEnv } from './load-env';

export interface ObservabilityModuleOptions {
  /** The service's name everywhere: `service` label, `service_name` log field, `service.name` resource. */
  serviceName: string;
  /** Defaults to process.env; tests pass their own. */
  env?: NodeJS.ProcessEnv;
}

export interface ObservabilityConfig {
  serviceName: string;
  logLevel: LogLevel;
  /**
   * Whether each HTTP request is measured, logged and traced. Off only for the benchmarks' baseline
   * (docs/performance.md): a service without it is invisible to every SLO rule and alert.
   */
  requestTelemetry: boolean;
  elasticsearch?: {
    node: string;
    index: string;
    username?: string;
    password?: string;
    maxPendingRecords: number;
  };
}

const SERVICE_NAME = /^[a-z][a-z0-9-]{1,62}$/;

export function resolveObservabilityConfig(options: ObservabilityModuleOptions): ObservabilityConfig {
  if (!SERVICE_NAME.test(options.serviceName)) {
    throw new Error(`serviceName "${options.serviceName}" must be lower-case letters, digits and dashes`);
  }
  const values = loadEnv(
    {
      LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
      OBSERVABILITY_REQUEST_TELEMETRY: z.enum(['on', 'off']).default('on'),
      ELASTICSEARCH_URL: env.optionalUrl(),
      ELASTICSEARCH_INDEX: z.string().min(1).default(DEFAULT_SHIPPER_OPTIONS.index),
      ELASTICSEARCH_USERNAME: z.string().min(1).optional(),
      ELASTICSEARCH_PASSWORD: z.string().min(1).optional(),
      LOG_SHIPPING_MAX_PENDING: env.positiveInt(DEFAULT_SHIPPER_OPTIONS.maxPendingRecords),
    },
    options.env ?? process.env,
  );
  return {
    serviceName: options.serviceName,
    logLevel: values.LOG_LEVEL,
    requestTelemetry: values.OBSERVABILITY_REQUEST_TELEMETRY === 'on',
    elasticsearch: values.ELASTICSEARCH_URL
      ? {
          node: values.ELASTICSEARCH_URL,
          index: values.ELASTICSEARCH_INDEX,
          username: values.ELASTICSEARCH_USERNAME,
          password: values.ELASTICSEARCH_PASSWORD,
          maxPendingRecords: values.LOG_SHIPPING_MAX_PENDING,
        }
      : undefined,
  };
}
