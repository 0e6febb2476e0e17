import { createServiceLogger, NestLoggerBridge, ObservabilityModule, RequestContext, type ServiceLogger } from '@ai-finance/observability';
import { startNestApp } from '@ai-finance/testing';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ELASTICSEARCH_DIR } from '../src/elk/elasticsearch-objects';
import { DATA_VIEWS } from '../src/elk/kibana-objects';
import { indexKindsOf, indexNameTemplate, indexPrefix, INDEX_KINDS, LOG_INDICES, type IndexKind } from '../src/elk/log-routing';
import { outputsFor, parsePipeline, runFilters, sprintf, type LogstashEvent } from '../src/elk/logstash-config';
import { documentProblems, loadTemplates, mappingFor, mappingProblems } from '../src/elk/mapping-check';
import { WORKSPACE_ROOT } from '../src/generate';

const ELK = join(WORKSPACE_ROOT, 'monitoring/elk');
const read = (path: string): string => readFileSync(join(WORKSPACE_ROOT, path), 'utf8');
const PIPELINE_DIR = join(ELK, 'logstash/pipeline');
const pipeline = parsePipeline(...readdirSync(PIPELINE_DIR).filter((name) => name.endsWith('.conf')).sort().map((name) => readFileSync(join(PIPELINE_DIR, name), 'utf8')));
const templates = loadTemplates(join(WORKSPACE_ROOT, ELASTICSEARCH_DIR));

/** A pino destination that keeps every line, as stdout would carry it. */
class LineCapture {
  readonly lines: string[] = [];
  write(chunk: string): void {
    this.lines.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
  }
}

/**
 * A business line as a service writes it. The services build these objects inline in classes that
 * need PostgreSQL, Redis or RabbitMQ, so the objects are replicated here, field for field, and written
 * with the library's real logger; a test below checks that every field name still appears in `source`.
 */
interface BusinessLine {
  name: string;
  service: string;
  source: string[];
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
  /** Written inside a request (request, trace, span and user ids from the request context). */
  inRequest: boolean;
}

const UUID = '7d9f2a52-3c1e-4b8e-9a51-0f6b2c4d8e10';
const USER = '4b1c6a0e-2f3d-4e5a-8b7c-9d0e1f2a3b4c';
const IP = '203.0.113.7';
const DATE = '2025-03-31T23:59:59.500Z';
const connectionRefused = (): Error =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { errno: -111, code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 6379 });

const BUSINESS_LINES: BusinessLine[] = [
  {
    name: 'fault injected',
    service: 'payment',
    source: ['libs/observability/src/faults/fault-registry.ts'],
    level: 'warn',
    fields: { log_type: 'fault_injection', fault_name: 'payment-provider-errors', fault_value: 50, action: 'activated' },
    message: 'fault injected: payment-provider-errors = 50%',
    inRequest: true,
  },
  {
    name: 'fault cleared',
    service: 'payment',
    source: ['libs/observability/src/faults/fault-registry.ts'],
    level: 'warn',
    fields: { log_type: 'fault_injection', fault_name: 'payment-provider-down', fault_value: null, action: 'cleared' },
    message: 'fault cleared: payment-provider-down',
    inRequest: true,
  },
  {
    name: 'payment succeeded',
    service: 'payment',
    source: ['apps/payment/src/payments/payment-processor.ts'],
    level: 'info',
    fields: { log_type: 'payment_transaction', transaction_id: UUID, amount: '49.99', currency: 'USD', status: 'succeeded', method: 'card', provider: 'primary', plan: 'pro' },
    message: 'payment succeeded via primary',
    inRequest: true,
  },
  {
    name: 'payment declined',
    service: 'payment',
    source: ['apps/payment/src/payments/payment-processor.ts'],
    level: 'warn',
    fields: { log_type: 'payment_transaction', transaction_id: UUID, amount: '10.00', currency: 'EUR', status: 'declined', method: 'card', provider: 'backup', plan: 'basic', decline_reason: 'insufficient_funds' },
    message: 'payment declined by backup',
    inRequest: true,
  },
  {
    name: 'payment failed',
    service: 'payment',
    source: ['apps/payment/src/payments/payment-processor.ts'],
    level: 'error',
    fields: {
      log_type: 'payment_transaction',
      transaction_id: UUID,
      amount: '1250.00',
      currency: 'GBP',
      status: 'failed',
      method: 'bank_transfer',
      provider: 'none',
      plan: 'enterprise',
      provider_errors: ['primary: timed out after 2000 ms', 'backup: 503 Service Unavailable'],
    },
    message: 'payment failed: payment providers unavailable',
    inRequest: true,
  },
  {
    name: 'payment provider failover',
    service: 'payment',
    source: ['apps/payment/src/providers/payment-providers.ts'],
    level: 'warn',
    fields: { from_provider: 'primary', to_provider: 'backup', error_message: 'timed out after 2000 ms' },
    message: 'payment provider primary failed; failing over to backup',
    inRequest: true,
  },
  {
    name: 'gateway security event',
    service: 'api-gateway',
    source: ['apps/api-gateway/src/routes/gateway-router.ts'],
    level: 'warn',
    fields: { log_type: 'security_event', event_type: 'invalid_token', ip_address: IP, method: 'GET', path: '/api/trading/orders', reason: 'expired' },
    message: 'security event: invalid_token',
    inRequest: true,
  },
  {
    name: 'gateway rate limit',
    service: 'api-gateway',
    source: ['apps/api-gateway/src/routes/gateway-router.ts'],
    level: 'warn',
    fields: { log_type: 'security_event', event_type: 'rate_limited', ip_address: '2001:db8::1', method: 'POST', path: '/api/payment/payments', limit: 'ip' },
    message: 'security event: rate_limited',
    inRequest: true,
  },
  {
    name: 'account locked',
    service: 'user-management',
    source: ['apps/user-management/src/security-events.ts', 'apps/user-management/src/auth/authentication.ts'],
    level: 'warn',
    fields: { log_type: 'security_event', event_type: 'account_locked', ip_address: IP, email: 'ada@example.com', user_id: USER, failed_attempts: 5, locked_until: DATE },
    message: 'account locked for 900 seconds after 5 failed logins',
    inRequest: true,
  },
  {
    name: 'webhook refused',
    service: 'notification',
    source: ['apps/notification/src/alerts/alerts.controller.ts'],
    level: 'warn',
    fields: { log_type: 'security_event', event_type: 'webhook_unauthorized', ip_address: '::ffff:172.18.0.9', status: 'missing_token' },
    message: 'Alertmanager webhook call refused: missing or wrong bearer token',
    inRequest: true,
  },
  {
    name: 'user logged in',
    service: 'user-management',
    source: ['apps/user-management/src/auth/authentication.ts'],
    level: 'info',
    fields: { log_type: 'user_activity', event_type: 'user_login', user_id: USER, session_id: UUID, ip_address: IP },
    message: 'user logged in',
    inRequest: true,
  },
  {
    name: 'user logged out',
    service: 'user-management',
    source: ['apps/user-management/src/auth/authentication.ts'],
    level: 'info',
    fields: { log_type: 'user_activity', event_type: 'user_logout', user_id: USER, session_id: UUID, session_duration_seconds: 1834.2 },
    message: 'user logged out',
    inRequest: true,
  },
  {
    name: 'operator notification',
    service: 'notification',
    source: ['apps/notification/src/notifications/notifications.controller.ts'],
    level: 'info',
    fields: { log_type: 'user_activity', event_type: 'notification_requested', notification_id: UUID, channel: 'slack', operator_id: USER },
    message: 'operator queued a slack notification',
    inRequest: true,
  },
  {
    name: 'trade executed',
    service: 'trading',
    source: ['apps/trading/src/orders/order-fills.ts'],
    level: 'info',
    fields: {
      log_type: 'trade_execution',
      order_id: UUID,
      trade_id: UUID,
      user_id: USER,
      order_type: 'limit',
      symbol: 'AAPL',
      side: 'buy',
      quantity: '0.5',
      price: '187.23',
      notional: '93.62',
      currency: 'USD',
      status: 'filled',
    },
    message: 'buy 0.5 AAPL filled at 187.23',
    inRequest: false,
  },
  {
    name: 'risk rejection',
    service: 'risk',
    source: ['apps/risk/src/checks/risk-checks.service.ts'],
    level: 'info',
    fields: { log_type: 'risk_check', check_id: UUID, user_id: USER, symbol: 'TSLA', side: 'sell', quantity: '10', price: '251.50', notional: '2515.00', status: 'rejected', reason: 'short_selling' },
    message: 'Cannot sell 10 TSLA: the position holds 0 and short selling is not allowed',
    inRequest: true,
  },
  {
    name: 'order rejected by risk',
    service: 'trading',
    source: ['apps/trading/src/orders/order-placement.ts'],
    level: 'info',
    fields: { order_id: UUID, symbol: 'TSLA', side: 'sell', order_type: 'market', quantity: '10', status: 'rejected', reason: 'short_selling' },
    message: 'order rejected by risk: Cannot sell 10 TSLA',
    inRequest: true,
  },
  {
    name: 'signal generated',
    service: 'signals',
    source: ['apps/signals/src/model/signal-engine.ts'],
    level: 'info',
    fields: {
      log_type: 'signal_generation',
      signal_id: UUID,
      symbol: 'MSFT',
      direction: 'buy',
      confidence: 0.73,
      price_at_signal: '412.10',
      short_sma: '411.87333333',
      long_sma: '409.2',
      generated_at: DATE,
      evaluate_after: DATE,
      model_inverted: false,
    },
    message: 'buy signal for MSFT',
    inRequest: false,
  },
  {
    name: 'signal evaluated',
    service: 'signals',
    source: ['apps/signals/src/model/signal-engine.ts'],
    level: 'info',
    fields: { signal_id: UUID, symbol: 'MSFT', direction: 'buy', outcome: 'correct', price_at_signal: '412.10', realised_price: '415.00' },
    message: 'signal evaluated',
    inRequest: false,
  },
  {
    name: 'notification failed',
    service: 'notification',
    source: ['apps/notification/src/notifications/dispatcher.ts'],
    level: 'error',
    fields: { log_type: 'notification_delivery', channel: 'sms', status: 'failed', notification_id: UUID, user_id: USER, recipient: '+15550100', attempts: 5, duration_seconds: 0.412, last_error: 'provider answered 500', retry_in_ms: 0 },
    message: 'sms notification failed after 5 attempts',
    inRequest: false,
  },
  {
    name: 'notification skipped',
    service: 'notification',
    source: ['apps/notification/src/notifications/notification-queue.ts'],
    level: 'info',
    fields: { log_type: 'notification_delivery', channel: 'email', status: 'skipped', notification_id: UUID, user_id: USER, reason: 'the user has no email address' },
    message: 'notification skipped: the user has no email address',
    inRequest: false,
  },
  {
    name: 'audit event recorded',
    service: 'audit',
    source: ['apps/audit/src/audit/audit-log.ts'],
    level: 'info',
    fields: { log_type: 'audit', event_id: UUID, event_type: 'payment.succeeded', sequence: 42, hash: 'a3f1c2e4b5d6978812ab34cd56ef7890a3f1c2e4b5d6978812ab34cd56ef7890' },
    message: 'recorded payment.succeeded in the audit log',
    inRequest: false,
  },
  {
    name: 'audit chain invalid',
    service: 'audit',
    source: ['apps/audit/src/audit/audit-log.ts'],
    level: 'error',
    fields: { log_type: 'audit', event_type: 'chain_verification', status: 'invalid', checked_events: 100, last_sequence: 100, first_invalid_sequence: 57, reason: 'hash mismatch' },
    message: 'audit chain INVALID at sequence 57: hash mismatch',
    inRequest: true,
  },
  {
    name: 'price tick failed',
    service: 'market-data',
    source: ['apps/market-data/src/quotes/price-feed.ts'],
    level: 'error',
    fields: { log_type: 'error', error: connectionRefused() },
    message: 'price tick failed',
    inRequest: false,
  },
  {
    name: 'message handling failed',
    service: 'portfolio',
    source: ['libs/messaging/src/rabbitmq-broker.ts'],
    level: 'error',
    fields: { log_type: 'error', error: new Error('position update conflicted'), queue: 'portfolio.trades', routing_key: 'trade.executed', message_id: UUID, redelivered: true },
    message: 'message handling failed; it will be retried once',
    inRequest: false,
  },
  {
    name: 'redis unavailable',
    service: 'user-management',
    source: ['apps/user-management/src/activity/active-users.ts'],
    level: 'warn',
    fields: { error: connectionRefused() },
    message: 'could not record the user as active in Redis; active_users will miss this activity',
    inRequest: true,
  },
];

interface RealLine {
  name: string;
  service: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

@Controller('probe')
class ProbeController {
  @Get('ok')
  ok(): { ok: boolean } {
    return { ok: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('ledger write failed: connection reset');
  }
}

async function httpLines(): Promise<RealLine[]> {
  const capture = new LineCapture();
  @Module({ imports: [ObservabilityModule.forRoot({ serviceName: 'payment', env: { LOG_LEVEL: 'debug' }, logDestination: capture })], controllers: [ProbeController] })
  class ProbeModule {}
  // The W3C propagator the tracing SDK registers, so the lines carry the caller's trace id.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const app: NestFastifyApplication = await startNestApp(ProbeModule);
  try {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const fastify = app.getHttpAdapter().getInstance();
    for (const url of ['/probe/ok', '/probe/boom', '/health/live']) await fastify.inject({ method: 'GET', url, headers: { traceparent, 'user-agent': 'k6/0.52' } });
  } finally {
    await app.close();
    propagation.disable();
  }
  const names = ['access 200', 'unhandled error', 'access 500', 'health probe'];
  return capture.lines.map((text, index) => ({ name: names[index] ?? `http line ${index}`, service: 'payment', stream: 'stdout', text }));
}

function businessLines(): RealLine[] {
  return BUSINESS_LINES.map((entry) => {
    const capture = new LineCapture();
    const logger: ServiceLogger = createServiceLogger({ serviceName: entry.service, level: 'debug', destination: capture });
    const write = (): void => logger[entry.level](entry.fields, entry.message);
    if (entry.inRequest) RequestContext.run({ requestId: UUID, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', userId: USER }, write);
    else write();
    return { name: entry.name, service: entry.service, stream: 'stdout', text: capture.lines.join('\n') };
  });
}

function otherLines(): RealLine[] {
  const capture = new LineCapture();
  const bridge = new NestLoggerBridge(createServiceLogger({ serviceName: 'risk', level: 'debug', destination: capture }));
  bridge.log('Mapped {/checks, POST} route', 'RouterExplorer');
  bridge.error('Nest could not start', 'Error: listen EADDRINUSE: address already in use 0.0.0.0:3070\n    at Server.setupListenHandle', 'NestApplication');
  return [
    { name: 'nest start-up', service: 'risk', stream: 'stdout', text: capture.lines[0]! },
    { name: 'nest error', service: 'risk', stream: 'stdout', text: capture.lines[1]! },
    {
      // libs/observability/src/tracing/start-tracing.ts writes OpenTelemetry's warnings itself (inline, not exported), on stderr.
      name: 'opentelemetry warning',
      service: 'signals',
      stream: 'stderr',
      text: JSON.stringify({
        '@timestamp': new Date().toISOString(),
        level: 'warn',
        service_name: 'signals',
        log_type: 'application',
        message: 'opentelemetry: OTLPExporterError: Not Found',
        detail: 'url http://jaeger:4318/v1/traces',
      }),
    },
    // What Node itself prints when a service dies before or outside the logger: not JSON.
    { name: 'crash on stderr', service: 'trading', stream: 'stderr', text: "Error: Cannot find module '/app/dist/main.js'" },
    { name: 'plain text on stdout', service: 'trading', stream: 'stdout', text: 'Debugger listening on ws://127.0.0.1:9229/9f1c' },
  ];
}

/** The event Filebeat hands Logstash for one container line (filestream, container and ndjson parsers, docker autodiscover). */
function filebeatEvent(line: RealLine): LogstashEvent {
  const beat = {
    '@timestamp': new Date().toISOString(),
    agent: { type: 'filebeat', version: '8.15.0', name: 'filebeat' },
    ecs: { version: '8.0.0' },
    host: { name: 'filebeat' },
    input: { type: 'filestream' },
    log: { offset: 1024, file: { path: '/var/lib/docker/containers/abc/abc-json.log' } },
    stream: line.stream,
    container: { id: 'abc', name: `ai-finance-${line.service}-1`, image: { name: `ai-finance/${line.service}` }, labels: { com_docker_compose_service: line.service } },
  };
  try {
    return { ...beat, ...(JSON.parse(line.text) as LogstashEvent) };
  } catch {
    return { ...beat, message: line.text, error: { message: 'Error decoding JSON: invalid character', type: 'json' } };
  }
}

interface Routed {
  name: string;
  /** What Logstash would send to Elasticsearch. */
  document: Record<string, unknown>;
  indices: string[];
}

function route(line: RealLine): Routed {
  const event = runFilters(pipeline, filebeatEvent(line));
  const indices = outputsFor(pipeline, event).map((output) => String(output.settings.index));
  const document = { ...event };
  delete document['@metadata'];
  return { name: line.name, document, indices };
}

const kindOf = (index: string): IndexKind | undefined => INDEX_KINDS.find((kind) => index.startsWith(indexPrefix(kind)));

describe('the logs pipeline on the library\'s real log lines', () => {
  let lines: RealLine[];
  let routed: Routed[];
  const routedLine = (name: string): Routed => {
    const found = routed.find((entry) => entry.name === name);
    if (!found) throw new Error(`no real line named "${name}"`);
    return found;
  };

  beforeAll(async () => {
    lines = [...(await httpLines()), ...businessLines(), ...otherLines()];
    routed = lines.map(route);
  });

  it('has one real line of every log_type the services and libraries write', () => {
    const sources = ['apps', 'libs'].flatMap((root) =>
      readdirSync(join(WORKSPACE_ROOT, root)).flatMap((project) => sourceFiles(join(WORKSPACE_ROOT, root, project, 'src'))),
    );
    const written = new Set(sources.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/log_type: '([a-z_]+)'/g)].map((match) => match[1]!)));
    const covered = new Set(lines.map((line) => (JSON.parse(line.text.startsWith('{') ? line.text : '{}') as { log_type?: string }).log_type));
    expect([...written].filter((logType) => !covered.has(logType))).toEqual([]);
    expect(written.size).toBeGreaterThanOrEqual(10);
  });

  it('replicates the services\' log objects faithfully: every field name is still written by the source it names', () => {
    const missing = BUSINESS_LINES.flatMap((entry) => {
      const source = entry.source.map(read).join('\n');
      return Object.keys(entry.fields)
        .filter((field) => !new RegExp(`\\b${field}\\b`).test(source))
        .map((field) => `${entry.name}: ${field} not in ${entry.source.join(', ')}`);
    });
    expect(missing).toEqual([]);
  });

  it('captured the HTTP lines it expects from a real Nest app (access lines, the error filter, a probe at debug)', () => {
    const http = lines.slice(0, 4).map((line) => JSON.parse(line.text) as Record<string, unknown>);
    expect(http.map(({ log_type, level, status_code }) => ({ log_type, level, status_code }))).toEqual([
      { log_type: 'http_request', level: 'info', status_code: 200 },
      { log_type: 'error', level: 'error', status_code: 500 },
      { log_type: 'http_request', level: 'error', status_code: 500 },
      { log_type: 'http_request', level: 'debug', status_code: 200 },
    ]);
    expect(http[0]).toMatchObject({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', ip_address: '127.0.0.1', user_agent: 'k6/0.52', route: '/probe/ok' });
  });

  it.each([
    ['fault injected', ['logs']],
    ['fault cleared', ['logs']],
    ['payment succeeded', ['revenue']],
    ['payment declined', ['revenue']],
    ['payment failed', ['revenue', 'errors']],
    ['gateway security event', ['security']],
    ['account locked', ['security']],
    ['webhook refused', ['security']],
    ['audit event recorded', ['security']],
    ['audit chain invalid', ['security', 'errors']],
    ['trade executed', ['trading']],
    ['risk rejection', ['trading']],
    ['order rejected by risk', ['logs']],
    ['signal generated', ['logs']],
    ['user logged in', ['logs']],
    ['notification failed', ['logs', 'errors']],
    ['access 200', ['logs']],
    ['access 500', ['logs', 'errors']],
    ['unhandled error', ['logs', 'errors']],
    ['price tick failed', ['logs', 'errors']],
    ['redis unavailable', ['logs']],
    ['nest error', ['logs', 'errors']],
    ['opentelemetry warning', ['logs']],
    ['crash on stderr', ['logs', 'errors']],
    ['plain text on stdout', ['logs']],
  ])('routes "%s" to %j', (name, kinds) => {
    expect(routedLine(name).indices.map(kindOf)).toEqual(kinds);
  });

  it('routes every real line as the routing table says (the generated Logstash filter and the table agree)', () => {
    const disagreements = routed
      .map((entry) => ({ name: entry.name, logstash: entry.indices, table: indexKindsOf(entry.document).map((kind) => sprintf(indexNameTemplate(kind), entry.document)) }))
      .filter((entry) => JSON.stringify(entry.logstash) !== JSON.stringify(entry.table));
    expect(disagreements).toEqual([]);
  });

  it('names indices by the line\'s own UTC date: daily for logs and errors, monthly for the long-lived kinds', () => {
    const failed = lines.find((line) => line.name === 'payment failed')!;
    const late = { ...failed, text: JSON.stringify({ ...(JSON.parse(failed.text) as object), '@timestamp': DATE }) };
    expect(route(late).indices).toEqual(['ai-finance-revenue-2025.03', 'ai-finance-errors-2025.03.31']);
  });

  it('writes every line once to the indices of the all-lines data view, so searching it counts each line once', () => {
    const patterns = DATA_VIEWS.find((view) => view.id === 'ai-finance-all')!.title.split(',');
    const counts = routed.map((entry) => ({ name: entry.name, homes: entry.indices.filter((index) => patterns.some((pattern) => index.startsWith(pattern.replace('*', '')))).length }));
    expect(counts.filter((entry) => entry.homes !== 1)).toEqual([]);
  });

  it('turns a line that is not JSON into an unstructured line of its service, an error when it came on stderr', () => {
    expect(routedLine('crash on stderr').document).toEqual({
      '@timestamp': expect.any(String),
      service_name: 'trading',
      log_type: 'unstructured',
      level: 'error',
      message: "Error: Cannot find module '/app/dist/main.js'",
    });
  });

  it('strips what Filebeat adds about itself and keeps every field of the service\'s line', () => {
    const { document } = routedLine('payment failed');
    expect(Object.keys(document).sort()).toEqual(Object.keys(JSON.parse(lines.find((line) => line.name === 'payment failed')!.text) as object).sort());
  });

  it('maps every field of every real line in the template of each index it goes to, with a value of the mapped type', () => {
    const problems = routed.flatMap((entry) =>
      entry.indices.flatMap((index) => documentProblems(entry.document, mappingFor(index, templates).properties).map((problem) => `${entry.name} → ${index}: ${problem}`)),
    );
    expect(problems).toEqual([]);
  });

  it('keeps amounts exact enough: money is scaled_float in cents and the payment line\'s amount is a numeric string', () => {
    const { properties } = mappingFor('ai-finance-revenue-2025.03', templates);
    expect(properties.amount).toEqual({ type: 'scaled_float', scaling_factor: 100 });
    expect(routedLine('payment failed').document.amount).toBe('1250.00');
  });
});

describe('the mapping checker', () => {
  const properties = mappingFor('ai-finance-logs-2025.03.31', templates).properties;

  it.each([
    [{ surprise: 'x' }, 'field "surprise" is not in the mapping'],
    [{ ip_address: 'not-an-ip' }, 'field "ip_address" is mapped as ip'],
    [{ amount: '12,34' }, 'field "amount" is mapped as scaled_float'],
    [{ status_code: 200.5 }, 'field "status_code" is mapped as integer'],
    [{ '@timestamp': 'yesterday' }, 'field "@timestamp" is mapped as date'],
    [{ currency: { code: 'USD' } }, 'field "currency" is mapped as keyword'],
    [{ error: 'boom' }, 'field "error" is mapped as an object'],
  ])('fails on %j, naming the field', (document, problem) => {
    expect(documentProblems(document, properties).join('\n')).toContain(problem);
  });

  it('accepts numeric strings for numbers, ISO dates, IPv6 and the unlisted properties of an error object', () => {
    expect(documentProblems({ amount: '12.34', '@timestamp': DATE, ip_address: '::ffff:10.0.0.1', error: { message: 'x', errno: -111, syscall: 'connect' } }, properties)).toEqual([]);
  });
});

describe('the Elasticsearch templates and ILM policies', () => {
  it('give every index kind exactly one template, composed of component templates that exist, with a valid mapping', () => {
    for (const kind of INDEX_KINDS) {
      const mapping = mappingFor(`${indexPrefix(kind)}2025.03.31`, templates);
      expect({ kind, dynamic: mapping.dynamic, problems: mappingProblems(mapping.properties) }).toEqual({ kind, dynamic: false, problems: [] });
    }
  });

  it('point every template at the ILM policy of its kind, which deletes only after the retention has passed for every line', () => {
    const policies = new Map(readdirSync(join(ELK, 'elasticsearch/ilm')).map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(ELK, 'elasticsearch/ilm', file), 'utf8'))]));
    const retention = LOG_INDICES.map((spec) => {
      const template = templates.indexTemplates.get(`ai-finance-${spec.kind}`) as { template: { settings: Record<string, string> } };
      const policyName = template.template.settings['index.lifecycle.name']!;
      const deleteAfter = Number(/^(\d+)d$/.exec(policies.get(policyName)?.policy.phases.delete.min_age)?.[1]);
      const periodDays = spec.period === 'daily' ? 1 : 31;
      return { kind: spec.kind, policyName, retentionDays: spec.retentionDays, keepsEveryLineLongEnough: deleteAfter >= spec.retentionDays + periodDays };
    });
    expect(retention).toEqual([
      { kind: 'logs', policyName: 'ai-finance-logs', retentionDays: 14, keepsEveryLineLongEnough: true },
      { kind: 'errors', policyName: 'ai-finance-errors', retentionDays: 30, keepsEveryLineLongEnough: true },
      { kind: 'security', policyName: 'ai-finance-security', retentionDays: 365, keepsEveryLineLongEnough: true },
      { kind: 'revenue', policyName: 'ai-finance-revenue', retentionDays: 400, keepsEveryLineLongEnough: true },
      { kind: 'trading', policyName: 'ai-finance-trading', retentionDays: 365, keepsEveryLineLongEnough: true },
    ]);
  });

  it('keep the shard count under Elasticsearch\'s default 1000 per node over a full retention period', () => {
    const settings = templates.componentTemplates.get('ai-finance-log-settings')!.template!.settings!;
    const shardsPerIndex = Number(settings['index.number_of_shards']) * (1 + Number(settings['index.number_of_replicas']));
    const indices = LOG_INDICES.reduce((sum, spec) => sum + Math.ceil(spec.retentionDays / (spec.period === 'daily' ? 1 : 30)) + 1, 0);
    expect(indices * shardsPerIndex).toBeLessThan(1000);
  });
});

describe('the Filebeat and Logstash configuration', () => {
  const filebeat = parse(read('monitoring/elk/filebeat/filebeat.yml')) as {
    'filebeat.autodiscover': { providers: Array<{ type: string; templates: Array<{ condition: { or: Array<{ equals: Record<string, string> }> }; config: Array<Record<string, unknown>> }> }> };
    'output.logstash': { hosts: string[] };
  };
  const template = filebeat['filebeat.autodiscover'].providers[0]!.templates[0]!;

  it('collects exactly the ten services, by their compose service name, which is their folder under apps/', () => {
    const services = template.condition.or.map((condition) => condition.equals['docker.container.labels.com_docker_compose_service']);
    expect(services.sort()).toEqual(readdirSync(join(WORKSPACE_ROOT, 'apps')).sort());
  });

  it('decodes each container line as JSON into the top level and ships to Logstash on logstash:5044', () => {
    expect(template.config[0]).toMatchObject({ type: 'filestream', parsers: [{ container: { stream: 'all' } }, { ndjson: { target: '', overwrite_keys: true, add_error_key: true } }] });
    expect(filebeat['output.logstash'].hosts).toEqual(['logstash:5044']);
  });

  it('has no credentials in any configuration file', () => {
    const files = ['filebeat/filebeat.yml', 'logstash/config/logstash.yml', ...readdirSync(PIPELINE_DIR).map((name) => `logstash/pipeline/${name}`)];
    const secrets = files.filter((file) => /password|api_key|secret|token\s*[:=]/i.test(readFileSync(join(ELK, file), 'utf8')));
    expect(secrets).toEqual([]);
  });

  it('listens for Beats on 5044 and writes to Elasticsearch without installing templates or ILM of its own', () => {
    expect(pipeline.input).toEqual([{ kind: 'plugin', name: 'beats', settings: { port: 5044, include_codec_tag: 'false' } }]);
    const errorLine: RealLine = { name: 'error', service: 'risk', stream: 'stdout', text: JSON.stringify({ '@timestamp': DATE, level: 'error', service_name: 'risk', log_type: 'error', message: 'x' }) };
    const outputs = outputsFor(pipeline, runFilters(pipeline, filebeatEvent(errorLine)));
    expect(outputs.map((output) => [output.plugin, output.settings.index])).toEqual([
      ['elasticsearch', 'ai-finance-logs-2025.03.31'],
      ['elasticsearch', 'ai-finance-errors-2025.03.31'],
    ]);
    for (const output of outputs) {
      expect(output.settings).toMatchObject({ hosts: ['${ELASTICSEARCH_URL:http://elasticsearch:9200}'], data_stream: 'false', manage_template: 'false', ilm_enabled: 'false' });
    }
  });

  it('reads the pipeline folder and does not convert the services\' fields to ECS', () => {
    expect(parse(read('monitoring/elk/logstash/config/logstash.yml'))).toMatchObject({ 'path.config': '/usr/share/logstash/pipeline', 'pipeline.ecs_compatibility': 'disabled' });
  });
});

function sourceFiles(folder: string): string[] {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}
