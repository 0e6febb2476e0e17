import { runTool } from '@ai-finance/testing';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ELASTICSEARCH_DIR } from '../src/elk/elasticsearch-objects';
import { KIBANA_SAVED_OBJECTS_PATH } from '../src/elk/kibana-objects';
import { loadTemplates, mappedFields, mappingFor, type FieldMapping } from '../src/elk/mapping-check';
import { WORKSPACE_ROOT } from '../src/paths';

const ELK = join(WORKSPACE_ROOT, 'monitoring/elk');
const SCRIPTS = ['setup-lib.sh', 'elasticsearch/install.sh', 'kibana/load-saved-objects.sh'].map((script) => join(ELK, script));
const templates = loadTemplates(join(WORKSPACE_ROOT, ELASTICSEARCH_DIR));

interface SavedObject {
  type: string;
  id: string;
  attributes: Record<string, unknown> & { title: string };
  references: Array<{ name: string; type: string; id: string }>;
}

const ndjson = readFileSync(join(WORKSPACE_ROOT, KIBANA_SAVED_OBJECTS_PATH), 'utf8');
const objects = ndjson
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as SavedObject);
const dataViews = objects.filter((object) => object.type === 'index-pattern');
const searches = objects.filter((object) => object.type === 'search');

interface SearchSource {
  query: { query: string; language: string };
  indexRefName: string;
}
const searchSourceOf = (search: SavedObject): SearchSource =>
  JSON.parse((search.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON) as SearchSource;

/** The fields of every index a data view covers, with the mapping each has in all of them. */
function fieldsOf(dataView: SavedObject): Map<string, FieldMapping> {
  const perIndex = dataView.attributes.title.split(',').map((pattern) => mappedFields(mappingFor(pattern.replace('*', '2025.03.31'), templates).properties));
  return new Map([...perIndex[0]!].filter(([field, mapping]) => perIndex.every((fields) => JSON.stringify(fields.get(field)) === JSON.stringify(mapping))));
}

/** The field names a KQL query uses (`field : value`, `field >= value`). */
const kqlFields = (query: string): string[] => [...query.matchAll(/([\w@.]+)\s*(?::|[<>]=?)/g)].map((match) => match[1]!);

describe('the Kibana saved objects (monitoring/elk/kibana/saved-objects.ndjson)', () => {
  it('are one JSON object per line with unique ids', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(new Set(objects.map((object) => `${object.type}:${object.id}`)).size).toBe(objects.length);
  });

  it('have a data view for each ai-finance index kind and one for every line once, all on @timestamp', () => {
    expect(dataViews.map((view) => [view.id, view.attributes.title, view.attributes.timeFieldName])).toEqual([
      ['ai-finance-logs', 'ai-finance-logs-*', '@timestamp'],
      ['ai-finance-errors', 'ai-finance-errors-*', '@timestamp'],
      ['ai-finance-security', 'ai-finance-security-*', '@timestamp'],
      ['ai-finance-revenue', 'ai-finance-revenue-*', '@timestamp'],
      ['ai-finance-trading', 'ai-finance-trading-*', '@timestamp'],
      ['ai-finance-all', 'ai-finance-logs-*,ai-finance-security-*,ai-finance-revenue-*,ai-finance-trading-*', '@timestamp'],
    ]);
  });

  it('have the monitoring guide\'s two common queries as saved searches', () => {
    const byTitle = new Map(searches.map((search) => [search.attributes.title, search]));
    const failures = byTitle.get('Payment failures (last hour)')!;
    expect(searchSourceOf(failures).query).toEqual({ query: 'service_name : "payment" and log_type : "payment_transaction" and status : "failed"', language: 'kuery' });
    expect(failures.attributes).toMatchObject({ timeRestore: true, timeRange: { from: 'now-1h', to: 'now' } });
    const security = byTitle.get('Security events by IP (last 24 hours)')!;
    expect(searchSourceOf(security).query.query).toBe('log_type : "security_event"');
    expect(security.attributes).toMatchObject({ columns: expect.arrayContaining(['ip_address']), timeRange: { from: 'now-24h', to: 'now' } });
  });

  it('reference an existing data view from every saved search', () => {
    const links = searches.map((search) => {
      const reference = search.references.find((candidate) => candidate.name === searchSourceOf(search).indexRefName);
      return { search: search.id, type: reference?.type, exists: dataViews.some((view) => view.id === reference?.id) };
    });
    expect(links).toEqual(searches.map((search) => ({ search: search.id, type: 'index-pattern', exists: true })));
  });

  it('query, show and sort only fields that every index of their data view maps, and sort none that is text', () => {
    const problems = searches.flatMap((search) => {
      const view = dataViews.find((candidate) => candidate.id === search.references[0]!.id)!;
      const fields = fieldsOf(view);
      const sortFields = (search.attributes.sort as Array<[string, string]>).map(([field]) => field);
      const used = [...kqlFields(searchSourceOf(search).query.query), ...(search.attributes.columns as string[]), ...sortFields];
      return [
        ...used.filter((field) => !fields.has(field)).map((field) => `${search.attributes.title}: ${field} is not mapped (alike) in ${view.attributes.title}`),
        ...sortFields.filter((field) => fields.get(field)?.type === 'text').map((field) => `${search.attributes.title}: cannot sort on text field ${field}`),
      ];
    });
    expect(problems).toEqual([]);
  });
});

/** A stand-in for Elasticsearch or Kibana on 127.0.0.1 that records requests and answers as told. */
class RecordingServer {
  readonly requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];
  private server: Server | undefined;

  constructor(private readonly answer: (request: { method: string; url: string; seen: number }) => [status: number, body: string]) {}

  async start(): Promise<string> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const { method = '', url = '' } = request;
        const seen = this.requests.filter((earlier) => earlier.method === method && earlier.url === url).length;
        this.requests.push({ method, url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        const [status, body] = this.answer({ method, url, seen });
        response.writeHead(status, { 'content-type': 'application/json' }).end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

interface ScriptResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script with POSIX sh and only the variables given (no proxy settings leak in). */
function runScript(script: string, env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [join(ELK, script)], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RETRY_INTERVAL_SECONDS: '0.2', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function withServer(answer: ConstructorParameters<typeof RecordingServer>[0], use: (url: string, server: RecordingServer) => Promise<void>): Promise<void> {
  const server = new RecordingServer(answer);
  try {
    await use(await server.start(), server);
  } finally {
    await server.stop();
  }
}

const jsonFiles = (folder: string): string[] =>
  readdirSync(join(ELK, 'elasticsearch', folder))
    .filter((name) => name.endsWith('.json'))
    .sort();

describe('the set-up scripts', () => {
  it('pass shellcheck', () => {
    const result = runTool('shellcheck', ['--shell=sh', '--external-sources', ...SCRIPTS], { install: 'shellcheck', cwd: ELK });
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: '' });
  });

  it('install.sh waits for Elasticsearch, then PUTs the ILM policies, component templates and index templates, in that order', async () => {
    await withServer(
      ({ url, seen }) => (url.startsWith('/_cluster/health') && seen === 0 ? [408, '{"timed_out":true}'] : [200, '{"acknowledged":true}']),
      async (url, server) => {
        const result = await runScript('elasticsearch/install.sh', { ELASTICSEARCH_URL: url });
        expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
        const expected = [
          ...jsonFiles('ilm').map((file) => ['_ilm/policy', 'ilm', file]),
          ...jsonFiles('component-templates').map((file) => ['_component_template', 'component-templates', file]),
          ...jsonFiles('index-templates').map((file) => ['_index_template', 'index-templates', file]),
        ].map(([api, folder, file]) => ({
          method: 'PUT',
          url: `/${api}/${file!.replace(/\.json$/, '')}`,
          contentType: 'application/json',
          body: readFileSync(join(ELK, 'elasticsearch', folder!, file!), 'utf8'),
        }));
        const health = { method: 'GET', url: '/_cluster/health?wait_for_status=yellow&timeout=5s', contentType: undefined, body: '' };
        expect(server.requests.map(({ method, url: path, headers, body }) => ({ method, url: path, contentType: headers['content-type'], body }))).toEqual([health, health, ...expected]);
      },
    );
  });

  it('install.sh stops with a message naming the request and Elasticsearch\'s answer when a PUT is refused', async () => {
    const refusal = '{"error":{"type":"illegal_argument_exception","reason":"unknown setting"}}';
    await withServer(
      ({ url }) => (url === '/_index_template/ai-finance-errors' ? [400, refusal] : [200, '{"acknowledged":true}']),
      async (url) => {
        const result = await runScript('elasticsearch/install.sh', { ELASTICSEARCH_URL: url });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toBe(`error: PUT ${url}/_index_template/ai-finance-errors answered HTTP 400: ${refusal}\n`);
      },
    );
  });

  it('load-saved-objects.sh waits for Kibana, then imports saved-objects.ndjson with overwrite and the kbn-xsrf header', async () => {
    await withServer(
      ({ url, seen }) => (url === '/api/status' && seen === 0 ? [503, '{"status":{"overall":{"level":"unavailable"}}}'] : [200, `{"successCount":${objects.length},"success":true}`]),
      async (url, server) => {
        const result = await runScript('kibana/load-saved-objects.sh', { KIBANA_URL: url });
        expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
        expect(server.requests.map(({ method, url: path }) => `${method} ${path}`)).toEqual(['GET /api/status', 'GET /api/status', 'POST /api/saved_objects/_import?overwrite=true']);
        const upload = server.requests[2]!;
        expect(upload.headers['kbn-xsrf']).toBe('true');
        expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
        expect(upload.body).toContain('Content-Disposition: form-data; name="file"; filename="saved-objects.ndjson"');
        expect(upload.body).toContain(ndjson);
      },
    );
  });

  it.each([
    ['an HTTP error', 500, '{"statusCode":500,"error":"Internal Server Error"}', 'answered HTTP 500: {"statusCode":500,"error":"Internal Server Error"}'],
    ['a partial import', 200, '{"success":false,"successCount":0,"errors":[{"id":"x","error":{"type":"missing_references"}}]}', 'Kibana did not import every saved object: {"success":false'],
  ])('load-saved-objects.sh fails with a clear message on %s', async (_case, status, body, message) => {
    await withServer(
      ({ url }) => (url === '/api/status' ? [200, '{}'] : [status, body]),
      async (url) => {
        const result = await runScript('kibana/load-saved-objects.sh', { KIBANA_URL: url });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toContain(message);
      },
    );
  });

  it('gives up waiting after WAIT_TIMEOUT_SECONDS, saying what the server answered', async () => {
    await withServer(
      () => [503, '{}'],
      async (url) => {
        const result = await runScript('kibana/load-saved-objects.sh', { KIBANA_URL: url, WAIT_TIMEOUT_SECONDS: '1' });
        expect(result.status).not.toBe(0);
        expect(result.stderr).toBe(`error: Kibana is not ready: ${url}/api/status answered 503 for 1 s\n`);
      },
    );
  });
});
