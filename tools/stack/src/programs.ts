import { SLO_RULES_PATH, sloRulesFile } from '@ai-finance/monitoring-tools/dist/generate';
import { localPrometheusConfig } from '@ai-finance/monitoring-tools/dist/local-prometheus';
import { ALERTMANAGER_TEMPLATE_PATH, renderConfig } from '@ai-finance/monitoring-tools/dist/render-alertmanager';
import { timeScaledAlertmanagerConfig } from '@ai-finance/monitoring-tools/dist/time-scale';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentSpecs, type ComponentSpec, WORKSPACE_ROOT } from './layout';
import { findExecutable } from './processes';
import type { StackSettings, StateDir } from './state';

/** How to run a native program: its names (Debian's first), and the package that has it. */
interface NativeProgram {
  names: string[];
  debianPackage: string;
}

export const NATIVE_PROGRAMS: Record<string, NativeProgram> = {
  prometheus: { names: ['prometheus'], debianPackage: 'prometheus' },
  alertmanager: { names: ['prometheus-alertmanager', 'alertmanager'], debianPackage: 'prometheus-alertmanager' },
  'node-exporter': { names: ['prometheus-node-exporter', 'node_exporter'], debianPackage: 'prometheus-node-exporter' },
  'postgres-exporter': { names: ['prometheus-postgres-exporter', 'postgres_exporter'], debianPackage: 'prometheus-postgres-exporter' },
  'redis-exporter': { names: ['prometheus-redis-exporter', 'redis_exporter'], debianPackage: 'prometheus-redis-exporter' },
  'blackbox-exporter': { names: ['prometheus-blackbox-exporter', 'blackbox_exporter'], debianPackage: 'prometheus-blackbox-exporter' },
};

/** Debian packages of the native programs that are not on PATH. */
export function missingPackages(): string[] {
  return Object.values(NATIVE_PROGRAMS)
    .filter((program) => findExecutable(program.names) === undefined)
    .map((program) => program.debianPackage);
}

export interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** Everything Alertmanager's configuration asks for, pointed at this machine (docs/stack.md, "Local mode"). */
export function localAlertmanagerEnv(settings: StackSettings, state: StateDir): Record<string, string> {
  const sink = `http://127.0.0.1:${settings.ports['alert-sink']}`;
  return {
    SMTP_SMARTHOST: `127.0.0.1:${settings.ports['alert-sink-smtp']}`,
    SMTP_REQUIRE_TLS: 'false',
    ALERT_EMAIL_FROM: 'alertmanager@ai-finance.example',
    ALERTMANAGER_TEMPLATES_DIR: join(WORKSPACE_ROOT, 'monitoring/alertmanager/templates'),
    SLACK_WEBHOOK_URL: `${sink}/slack`,
    WATCHDOG_WEBHOOK_URL: `${sink}/watchdog`,
    ONCALL_EMAIL: 'oncall@ai-finance.example',
    TEAM_EMAIL: 'sre@ai-finance.example',
    BUSINESS_EMAIL: 'business@ai-finance.example',
    SECURITY_EMAIL: 'security@ai-finance.example',
    NOTIFICATION_ALERT_WEBHOOK_URL: `http://127.0.0.1:${settings.ports.notification}/alerts/alertmanager`,
    NOTIFICATION_WEBHOOK_TOKEN: state.secret('notification-webhook-token'),
  };
}

/** Where Prometheus finds each compose address of prometheus.yml on this machine. */
export function localAddresses(settings: StackSettings): Record<string, string> {
  const addresses: Record<string, string> = {};
  for (const spec of componentSpecs()) if (spec.composeAddress) addresses[spec.composeAddress] = `127.0.0.1:${settings.ports[spec.name]}`;
  if (settings.rabbitmqMetrics) addresses['rabbitmq:15692'] = settings.rabbitmqMetrics;
  return addresses;
}

/** The on-call SMS path of local mode: notification sends through the stand-in's Twilio-compatible API. */
export function localSmsSettings(settings: StackSettings, state: StateDir): { accountSid: string; authToken: string; apiUrl: string; from: string } {
  return {
    apiUrl: `http://127.0.0.1:${settings.ports['alert-sink']}/sms`,
    accountSid: `AC${state.secret('sms-account').slice(0, 32)}`,
    authToken: state.secret('sms-auth-token'),
    // 555-0100 to 555-0199: numbers reserved for fiction, that reach nobody.
    from: '+15550100100',
  };
}

/**
 * Writes the local prometheus.yml and alertmanager.yml into the state folder; returns their paths. With a
 * time scale, rules/slo.yml is replaced by the same generator's time-scaled output, and Alertmanager's
 * timers are divided by the same factor (docs/alerting.md).
 */
export function writeConfigs(settings: StackSettings, state: StateDir): { prometheus: string; alertmanager: string } {
  const scale = settings.alertTimeScale ?? 1;
  const ruleFileOverrides: Record<string, string> = {};
  if (scale > 1) {
    const scaled = join(state.ensure('prometheus'), 'slo.time-scaled.yml');
    writeFileSync(scaled, sloRulesFile(undefined, scale));
    ruleFileOverrides[SLO_RULES_PATH.replace('monitoring/prometheus/', '')] = scaled;
  }
  const prometheus = join(state.ensure('prometheus'), 'prometheus.yml');
  writeFileSync(
    prometheus,
    localPrometheusConfig({
      addresses: localAddresses(settings),
      scrapeInterval: settings.scrapeInterval,
      evaluationInterval: settings.evaluationInterval,
      ...(scale > 1 ? { ruleFileOverrides } : {}),
    }),
  );
  const alertmanager = join(state.ensure('alertmanager'), 'alertmanager.yml');
  const rendered = renderConfig(readFileSync(ALERTMANAGER_TEMPLATE_PATH, 'utf8'), localAlertmanagerEnv(settings, state));
  writeFileSync(alertmanager, timeScaledAlertmanagerConfig(rendered, scale), { mode: 0o600 });
  return { prometheus, alertmanager };
}

/** The `postgres` maintenance database on the server of `databaseUrl`: what psql and the exporter connect to. */
export function maintenanceDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

/** The same, with `sslmode=disable` unless the URL says otherwise: what postgres-exporter watches. */
function exporterDatabaseUrl(databaseUrl: string): string {
  const url = new URL(maintenanceDatabaseUrl(databaseUrl));
  if (!url.searchParams.has('sslmode')) url.searchParams.set('sslmode', 'disable');
  return url.toString();
}

/** `payment` → `PAYMENT_URL`: the variable through which the others find a service. */
export const urlVariable = (service: string): string => `${service.toUpperCase().replace(/-/g, '_')}_URL`;

/**
 * The environment of every service: the caller's (so LOG_LEVEL, OTEL_* and each service's own settings
 * work as the README says), then what makes the ten one platform on this machine, as Platform does in
 * the integration tests: one database, broker, exchange and queue prefix, one JWT secret, each other's
 * URLs on 127.0.0.1.
 */
function serviceEnv(spec: ComponentSpec, settings: StackSettings, state: StateDir, baseEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const services = componentSpecs().filter((candidate) => candidate.kind === 'service');
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    HOST: '127.0.0.1',
    PORT: String(settings.ports[spec.name]),
    DATABASE_URL: settings.databaseUrl,
    REDIS_URL: settings.redisUrl,
    RABBITMQ_URL: settings.rabbitmqUrl,
    JWT_SECRET: state.secret('jwt-secret'),
    ...Object.fromEntries(services.map((service) => [urlVariable(service.name), `http://127.0.0.1:${settings.ports[service.name]}`])),
  };
  if (settings.eventsExchange) env.EVENTS_EXCHANGE = settings.eventsExchange;
  if (settings.queuePrefix) env.RABBITMQ_QUEUE_PREFIX = settings.queuePrefix;
  if (settings.redisKeyBase) env.REDIS_KEY_PREFIX = `${settings.redisKeyBase}${spec.name}:`;
  // The public entry has no fault of its own: its /admin/faults stays shut (docs/fault-injection.md).
  const faultSwitches = settings.faultInjection !== false && spec.name !== 'api-gateway';
  env.FAULT_INJECTION_ENABLED = String(faultSwitches);
  if (faultSwitches) env.FAULT_INJECTION_TOKEN = state.secret('fault-injection-token');
  if (spec.name === 'notification') {
    env.NOTIFICATION_WEBHOOK_TOKEN = state.secret('notification-webhook-token');
    const sms = localSmsSettings(settings, state);
    Object.assign(env, { SMS_API_URL: sms.apiUrl, SMS_ACCOUNT_SID: sms.accountSid, SMS_AUTH_TOKEN: sms.authToken, SMS_FROM: sms.from });
    env.ONCALL_SMS_NUMBERS = baseEnv.ONCALL_SMS_NUMBERS || '+15550100101';
  }
  return env;
}

function native(name: string): string {
  const program = NATIVE_PROGRAMS[name];
  const found = findExecutable(program.names);
  if (!found) throw new Error(`${program.names[0]} is not installed (apt-get install -y ${program.debianPackage})`);
  return found;
}

/** The command line and environment of one component. */
export function launchOf(spec: ComponentSpec, settings: StackSettings, state: StateDir, baseEnv: NodeJS.ProcessEnv): Launch {
  const listen = `127.0.0.1:${settings.ports[spec.name]}`;
  /** A native program with only PATH and `env` from the environment. */
  const program = (args: string[], env: Record<string, string> = {}): Launch => ({ command: native(spec.name), args, env: { PATH: baseEnv.PATH, ...env } });
  /** Where Prometheus and Alertmanager listen, and the address their links point at. */
  const web = [`--web.listen-address=${listen}`, `--web.external-url=http://${listen}`];
  switch (spec.name) {
    case 'alert-sink': {
      const sms = localSmsSettings(settings, state);
      return {
        command: process.execPath,
        args: [join(__dirname, 'alert-sink.js')],
        env: {
          PATH: baseEnv.PATH,
          ALERT_SINK_PORT: String(settings.ports['alert-sink']),
          ALERT_SINK_SMTP_PORT: String(settings.ports['alert-sink-smtp']),
          ALERT_SINK_SMS_ACCOUNT_SID: sms.accountSid,
          ALERT_SINK_SMS_AUTH_TOKEN: sms.authToken,
        },
      };
    }
    case 'node-exporter':
      return program([`--web.listen-address=${listen}`]);
    case 'postgres-exporter':
      return program([`--web.listen-address=${listen}`], { DATA_SOURCE_NAME: exporterDatabaseUrl(settings.databaseUrl) });
    case 'redis-exporter':
      return program(['-redis.addr', settings.redisUrl, '-web.listen-address', listen]);
    case 'blackbox-exporter':
      return program([`--config.file=${join(WORKSPACE_ROOT, 'monitoring/blackbox/blackbox.yml')}`, `--web.listen-address=${listen}`]);
    case 'alertmanager':
      // One instance: no gossip port (9094 by default) to collide with anything.
      return program([`--config.file=${state.path('alertmanager', 'alertmanager.yml')}`, `--storage.path=${state.ensure('alertmanager', 'data')}`, ...web, '--cluster.listen-address=']);
    case 'prometheus':
      // The admin API for `backup`'s snapshots (on 127.0.0.1 only), and exemplars as in compose.
      return program([
        `--config.file=${state.path('prometheus', 'prometheus.yml')}`,
        `--storage.tsdb.path=${state.ensure('prometheus', 'data')}`,
        ...web,
        '--web.enable-admin-api',
        '--enable-feature=exemplar-storage',
      ]);
    default:
      if (spec.kind !== 'service') throw new Error(`no launch for ${spec.name}`);
      return { command: process.execPath, args: [join(WORKSPACE_ROOT, 'apps', spec.name, 'dist', 'main.js')], env: serviceEnv(spec, settings, state, baseEnv) };
  }
}
