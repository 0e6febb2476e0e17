import { ConfigurationError } from '../config/load-env';

const DEFAULT_ENDPOINT = 'http://localhost:4318';

/**
 * Where spans go, as the OpenTelemetry specification reads the variables: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * as given, or OTEL_EXPORTER_OTLP_ENDPOINT with `/v1/traces` appended.
 */
export function otlpTracesUrl(env: NodeJS.ProcessEnv): string {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = specific || `${(base || DEFAULT_ENDPOINT).replace(/\/+$/, '')}/v1/traces`;
  const name = specific ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError([`${name} must be an http(s) URL (got "${specific || base}")`]);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigurationError([`${name} must be an http(s) URL (got "${specific || base}")`]);
  }
  return url;
}

/** OTEL_EXPORTER_OTLP_HEADERS / _TRACES_HEADERS: `key=value` pairs, comma-separated, values URL-encoded. */
export function otlpHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    for (const pair of (env[name] ?? '').split(',')) {
      if (pair.trim() === '') continue;
      const separator = pair.indexOf('=');
      if (separator <= 0) throw new ConfigurationError([`${name} must be key=value pairs separated by commas (got "${pair.trim()}")`]);
      headers[pair.slice(0, separator).trim().toLowerCase()] = decodeURIComponent(pair.slice(separator + 1).trim());
    }
  }
  return headers;
}
