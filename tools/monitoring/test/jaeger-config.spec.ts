import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from '../src/generate';

// There is no Jaeger binary here to load the configuration, so this checks what the collector itself
// would refuse (a pipeline naming an undefined component) and what the rest of the repository relies
// on: the ports the services export to and Grafana reads from.

interface JaegerConfig {
  service: { extensions: string[]; pipelines: Record<string, Record<'receivers' | 'processors' | 'exporters', string[]>> };
  extensions: {
    healthcheckv2: { http: { endpoint: string } };
    jaeger_query: { storage: { traces: string }; http: { endpoint: string } };
    jaeger_storage: { backends: Record<string, { memory?: { max_traces: number } }> };
  };
  receivers: { otlp: { protocols: { http: { endpoint: string }; grpc: { endpoint: string } } } };
  processors: Record<string, unknown>;
  exporters: { jaeger_storage_exporter: { trace_storage: string } };
}

const read = (path: string) => readFileSync(join(WORKSPACE_ROOT, path), 'utf8');
const portOf = (address: string) => Number(/:(\d+)$/.exec(address)?.[1]);

describe('Jaeger configuration (monitoring/jaeger/config.yaml)', () => {
  const config = parse(read('monitoring/jaeger/config.yaml')) as JaegerConfig;

  it('names in its pipelines and extensions only components it defines', () => {
    const undefinedReferences = [
      ...Object.values(config.service.pipelines).flatMap((pipeline) =>
        (['receivers', 'processors', 'exporters'] as const).flatMap((kind) => pipeline[kind].filter((name) => !(name in (config[kind] as object))).map((name) => `${kind}.${name}`)),
      ),
      ...config.service.extensions.filter((name) => !(name in config.extensions)).map((name) => `extensions.${name}`),
    ];
    expect(undefinedReferences).toEqual([]);
    expect(config.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] });
    expect(config.service.extensions).toEqual(expect.arrayContaining(['jaeger_storage', 'jaeger_query', 'healthcheckv2']));
  });

  it('stores and queries the same bounded in-memory backend', () => {
    const backend = config.exporters.jaeger_storage_exporter.trace_storage;
    expect(config.extensions.jaeger_query.storage.traces).toBe(backend);
    const maxTraces = config.extensions.jaeger_storage.backends[backend]?.memory?.max_traces;
    expect({ backend, boundedMaxTraces: Number.isInteger(maxTraces) && (maxTraces as number) > 0 && (maxTraces as number) <= 1_000_000 }).toEqual({ backend, boundedMaxTraces: true });
  });

  it('receives OTLP over HTTP on every interface, on the port the services are told to export to', () => {
    const http = config.receivers.otlp.protocols.http.endpoint;
    expect(http).toMatch(/^0\.0\.0\.0:/);
    expect(config.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    // docs/uptime-and-tracing.md tells compose what to set; the README gives the services' default.
    expect(read('docs/uptime-and-tracing.md')).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=http://jaeger:${portOf(http)}`);
    expect(read('README.md')).toMatch(new RegExp(`\\| \`OTEL_EXPORTER_OTLP_ENDPOINT\` \\|.*\`http://localhost:${portOf(http)}\``));
  });

  it('serves the UI and query API on the README\'s Jaeger UI port, and its health on 13133', () => {
    const uiPort = Number(/^\| Jaeger UI \| (\d+) \|$/m.exec(read('README.md'))?.[1]);
    expect(config.extensions.jaeger_query.http.endpoint).toBe(`0.0.0.0:${uiPort}`);
    expect(config.extensions.healthcheckv2.http.endpoint).toBe('0.0.0.0:13133');
  });

  it('is where the Jaeger datasource provisioned for Grafana points (http://jaeger:<query port>)', () => {
    const dir = join(WORKSPACE_ROOT, 'monitoring/grafana/provisioning/datasources');
    const files = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file));
    const jaegerUrls = files.flatMap((file) =>
      ((parse(readFileSync(join(dir, file), 'utf8')) as { datasources?: Array<{ type: string; url: string }> }).datasources ?? [])
        .filter((datasource) => datasource.type === 'jaeger')
        .map((datasource) => datasource.url),
    );
    const expected = `http://jaeger:${portOf(config.extensions.jaeger_query.http.endpoint)}`;
    expect(jaegerUrls).toEqual([expected]);
  });
});
