import { freePort, ServiceProcess } from '@ai-finance/testing';
import { STOCK_OTEL_PRELOAD } from './paths';
import { variantEnv, type Variant } from '../variants';

/**
 * A service process in one variant: stdout goes to /dev/null (the access log is still written, as
 * under Docker, but nobody keeps it), and the stock variant preloads the stock SDK.
 */
export async function variantProcess(
  name: string,
  variant: Variant,
  otlpEndpoint: string,
  env: Record<string, string>,
  main?: string,
): Promise<ServiceProcess> {
  return new ServiceProcess(
    name,
    await freePort(),
    { LOG_LEVEL: 'info', OTEL_SERVICE_NAME: name, OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, ...env, ...variantEnv(variant) },
    { discardStdout: true, main, nodeArgs: variant.stockOtel ? ['-r', STOCK_OTEL_PRELOAD] : [] },
  );
}

/** The process id of a service that still runs; one that has ended is reported with what it last said. */
export function pidOf(service: ServiceProcess): number {
  if (service.pid === undefined) throw new Error(`${service.name} is not running`);
  if (service.ended !== undefined) {
    throw new Error(`${service.name} (pid ${service.pid}) ended with ${service.ended}: ${service.stderrTail || 'nothing on stderr'}`);
  }
  return service.pid;
}
