import { loadSloSpec } from '@ai-finance/monitoring-tools/dist/slo-spec';
import { SLO_SPEC_PATH, WORKSPACE_ROOT } from '@ai-finance/monitoring-tools/dist/generate';
import { componentSpecs, EXTRA_PORTS } from '@ai-finance/stack-tools/dist/layout';
import { LocalStackRun, waitFor } from '@ai-finance/testing';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AlertWatch } from './support/alert-watch';
import { alertKey, alertmanagerAlerts, firingInPrometheus, instantValue } from './support/alerts';
import { receivedMessages, receivedNotifications, type Notification } from './support/notifications';
import { markdownTable, textReport, writeReports, type ScenarioResult } from './support/scenario-report';
import { TrafficRun } from './support/traffic-run';

/*
 * The alerting pipeline end to end, as an on-call engineer meets it: the ten services, a real Prometheus
 * and Alertmanager with the repository's rules and routing (started by ./start-monitoring.sh in local
 * mode), the traffic simulator, and stand-ins for Slack, the mail relay and the SMS provider. Faults
 * are switched with `./start-monitoring.sh fault`, and each scenario asserts what reached which channel.
 *
 * Time: the SLO rules (rules/slo.yml: burn rates, HighErrorRate, SlowResponses) are regenerated from
 * monitoring/slo/slos.yml by the same generator with every window and `for` ten times shorter, and
 * Alertmanager's group timers are divided by ten (AI_FINANCE_ALERT_TIME_SCALE=10). The hand-written rules
 * (availability, business, security, infrastructure) run in real time, exactly as checked in.
 */

const TIME_SCALE = 10;
const ONCALL_EMAIL = 'oncall@ai-finance.example';
const SECURITY_EMAIL = 'security@ai-finance.example';
const ONCALL_SMS = '+15550100101';
const ATTACKER_IP = '127.66.0.1';
const STOPPED_SERVICE = 'portfolio';
const NORMAL_TRAFFIC_MS = 120_000;
const RUNBOOK_BASE = loadSloSpec(SLO_SPEC_PATH).runbookBaseUrl;

interface Expected {
  channel: string;
  alertname: string;
  service: string;
  severity: string;
  status?: 'firing' | 'resolved';
  /** Text the notification must contain besides the alert's name, service, severity and runbook. */
  mentions?: string;
}

const describeExpected = (expected: Expected) => `${expected.status ?? 'firing'} ${expected.alertname}{${expected.service}, ${expected.severity}} in ${expected.channel}`;

function matches(notification: Notification, expected: Expected): boolean {
  return (
    notification.channel === expected.channel &&
    notification.alertname === expected.alertname &&
    notification.status === (expected.status ?? 'firing') &&
    notification.service === expected.service &&
    (expected.mentions === undefined || notification.text.includes(expected.mentions))
  );
}

describe('alerts reach the right people: faults injected into the running stack', () => {
  const run = new LocalStackRun('e2e-alerts');
  const results: ScenarioResult[] = [];
  let watch: AlertWatch;
  let traffic: TrafficRun;
  const prometheusUrl = () => run.url('prometheus');
  const sinkUrl = () => run.url('alert-sink');

  /** Runs `./start-monitoring.sh fault ...`, failing with its output if it does not exit 0. */
  async function fault(...args: string[]): Promise<void> {
    const result = await run.script(['fault', ...args], 240_000);
    if (result.status !== 0) throw new Error(`./start-monitoring.sh fault ${args.join(' ')} exited ${result.status}:\n${result.output}`);
  }

  async function assertNotFiring(keys: string[]): Promise<void> {
    const firing = (await firingInPrometheus(prometheusUrl())).map((alert) => alertKey(alert.labels));
    expect({ firingBeforeTheFault: firing.filter((key) => keys.some((wanted) => key === wanted || key.startsWith(`${wanted}{`))) }).toEqual({ firingBeforeTheFault: [] });
  }

  /**
   * Waits until every expected notification has arrived after `since`, then checks each one's content:
   * channel, alert name, service, severity and the runbook link (a file that exists in docs/runbooks).
   */
  async function waitForNotifications(since: number, expected: Expected[], timeoutMs: number): Promise<Notification[]> {
    let missing: Expected[] = expected;
    const found = await waitFor(
      expected.map(describeExpected).join('; '),
      async () => {
        const received = (await receivedNotifications(sinkUrl())).filter((notification) => notification.receivedAt >= since);
        missing = expected.filter((wanted) => !received.some((notification) => matches(notification, wanted)));
        return missing.length === 0 ? expected.map((wanted) => received.find((notification) => matches(notification, wanted)) as Notification) : undefined;
      },
      timeoutMs,
      1_000,
    ).catch(async (error: Error) => {
      const received = (await receivedNotifications(sinkUrl())).filter((notification) => notification.receivedAt >= since);
      throw new Error(
        `${error.message}\nstill missing: ${missing.map(describeExpected).join('; ')}\nreceived since the fault: ${received.map((n) => `${n.status} ${n.alertname}{${n.service}} ${n.channel}`).join('; ') || 'nothing'}\nfiring in Prometheus: ${watch.firingNow().join(', ')}`,
      );
    });
    found.forEach((notification, index) => {
      const wanted = expected[index];
      expect({ channel: notification.channel, alertname: notification.alertname, service: notification.service, severity: notification.severity }).toEqual({
        channel: wanted.channel,
        alertname: wanted.alertname,
        service: wanted.service,
        severity: wanted.severity,
      });
      const runbook = `${RUNBOOK_BASE}/${wanted.alertname}.md`;
      expect({ channel: notification.channel, runbooks: notification.runbookUrls }).toEqual({ channel: wanted.channel, runbooks: expect.arrayContaining([runbook]) });
      expect(existsSync(join(WORKSPACE_ROOT, 'docs/runbooks', `${wanted.alertname}.md`))).toBe(true);
    });
    return found;
  }

  function record(scenario: string, faultText: string, faultAt: number, notifications: Notification[], extra: Partial<ScenarioResult> = {}): ScenarioResult {
    const first = Math.min(...notifications.map((notification) => notification.receivedAt));
    const firstNotificationByAlert: Record<string, number> = {};
    for (const notification of notifications) {
      const after = (notification.receivedAt - faultAt) / 1000;
      firstNotificationByAlert[notification.alertname] = Math.min(firstNotificationByAlert[notification.alertname] ?? Infinity, after);
    }
    const result: ScenarioResult = {
      scenario,
      fault: faultText,
      alertsFired: watch.firedSince(faultAt).filter((key) => key !== 'Watchdog'),
      firstNotificationSeconds: notifications.length > 0 ? (first - faultAt) / 1000 : undefined,
      firstNotificationByAlert,
      channels: [...new Set(notifications.map((notification) => notification.channel))].sort(),
      notes: [],
      ...extra,
    };
    results.push(result);
    return result;
  }

  beforeAll(async () => {
    const listeners = [...componentSpecs().map((spec) => spec.name), ...Object.keys(EXTRA_PORTS)];
    await run.prepare(listeners, {
      PROMETHEUS_SCRAPE_INTERVAL: '5s',
      PROMETHEUS_EVALUATION_INTERVAL: '5s',
      AI_FINANCE_ALERT_TIME_SCALE: String(TIME_SCALE),
    });
    const started = await run.script(['start'], 240_000);
    if (started.status !== 0) throw new Error(`./start-monitoring.sh --local start exited ${started.status}:\n${started.output}`);
    process.stdout.write(`stack started in ${(started.durationMs / 1000).toFixed(0)} s\n`);
    watch = new AlertWatch(prometheusUrl());
    watch.start();
    traffic = TrafficRun.start(run);
  }, 300_000);

  afterAll(async () => {
    watch?.stop();
    const summary = traffic ? await traffic.stop() : '';
    await run.remove();
    const report = textReport(results, TIME_SCALE);
    const dir = writeReports(WORKSPACE_ROOT, results, TIME_SCALE);
    process.stdout.write(`\n${report}\n\n${markdownTable(results)}\n\n(written to ${dir})\n\nTraffic simulator summary:\n${summary}\n`);
  }, 180_000);

  it('1. normal traffic: for two minutes no alert fires but Watchdog, and only its heartbeat is delivered', async () => {
    const began = Date.now();
    const extraFiring = new Set<string>();
    while (Date.now() - began < NORMAL_TRAFFIC_MS) {
      for (const key of watch.firingNow()) if (key !== 'Watchdog') extraFiring.add(key);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    const notifications = (await receivedNotifications(sinkUrl())).map((n) => `${n.status} ${n.alertname}{${n.service}} ${n.channel}`);
    const heartbeats = (await receivedMessages(sinkUrl())).filter((message) => message.channel === 'webhook' && message.to === '/watchdog');
    const gatewayRate = await instantValue(prometheusUrl(), 'sum(rate(http_server_request_duration_seconds_count{service="api-gateway"}[1m]))');
    const paymentRate = await instantValue(prometheusUrl(), 'sum(rate(http_server_request_duration_seconds_count{service="payment"}[1m]))');
    record('1. normal traffic', 'none', began, [], {
      notes: [`traffic: gateway ${gatewayRate.toFixed(1)} requests/s, payment ${paymentRate.toFixed(1)}/s; ${heartbeats.length} Watchdog heartbeats`],
    });
    expect({ firing: [...extraFiring], notifications }).toEqual({ firing: [], notifications: [] });
    expect(heartbeats.length).toBeGreaterThan(0);
    expect(gatewayRate).toBeGreaterThan(5);
    // HighErrorRate{payment} needs more than 1000 payment requests in its window: 3.3 a second.
    expect(paymentRate).toBeGreaterThan(3.5);
    expect(traffic.failures()).toEqual([]);
  }, 300_000);

  it('2. payment provider errors page on-call (Slack #alerts-critical, e-mail, SMS) and reach #business-alerts; clearing the fault resolves the pages', async () => {
    await assertNotFiring(['HighErrorRate{payment}', 'ErrorBudgetFastBurn{payment', 'PaymentProviderFailover']);
    await fault('payment-provider-errors', '50%');
    const faultAt = Date.now();
    const page = (alertname: string): Expected[] => [
      { channel: 'slack #alerts-critical', alertname, service: 'payment', severity: 'critical' },
      { channel: `email ${ONCALL_EMAIL}`, alertname, service: 'payment', severity: 'critical' },
      { channel: `sms ${ONCALL_SMS}`, alertname, service: 'payment', severity: 'critical' },
    ];
    const fired = await waitForNotifications(
      faultAt,
      [...page('HighErrorRate'), ...page('ErrorBudgetFastBurn'), { channel: 'slack #business-alerts', alertname: 'PaymentProviderFailover', service: 'payment', severity: 'warning' }],
      240_000,
    );

    await fault('clear', 'payment-provider-errors');
    const clearedAt = Date.now();
    const resolved = await waitForNotifications(
      clearedAt,
      page('HighErrorRate').map((expected) => ({ ...expected, status: 'resolved' as const })),
      240_000,
    );
    record('2. payment provider errors', 'payment-provider-errors 50%', faultAt, fired, {
      resolvedSeconds: (Math.min(...resolved.map((notification) => notification.receivedAt)) - clearedAt) / 1000,
    });
  }, 600_000);

  it('3. a login brute force reaches #security-alerts naming the attacking address', async () => {
    await assertNotFiring(['LoginBruteForce']);
    await fault('login-brute-force', ATTACKER_IP);
    const faultAt = Date.now();
    const fired = await waitForNotifications(
      faultAt,
      [
        { channel: 'slack #security-alerts', alertname: 'LoginBruteForce', service: 'api-gateway', severity: 'critical', mentions: ATTACKER_IP },
        { channel: `email ${SECURITY_EMAIL}`, alertname: 'LoginBruteForce', service: 'api-gateway', severity: 'critical', mentions: ATTACKER_IP },
        { channel: 'slack #alerts-critical', alertname: 'LoginBruteForce', service: 'api-gateway', severity: 'critical', mentions: ATTACKER_IP },
        // One SMS segment has no room left for the summary next to the runbook link: the page says what and where to read.
        { channel: `sms ${ONCALL_SMS}`, alertname: 'LoginBruteForce', service: 'api-gateway', severity: 'critical' },
      ],
      180_000,
    );
    await fault('clear', 'login-brute-force');
    record('3. login brute force', `login-brute-force ${ATTACKER_IP}`, faultAt, fired);
  }, 300_000);

  it('4. a market-data feed stall raises MarketDataStale for market-data', async () => {
    await assertNotFiring(['MarketDataStale']);
    await fault('market-data-stall');
    const faultAt = Date.now();
    const fired = await waitForNotifications(
      faultAt,
      [
        { channel: 'slack #alerts-critical', alertname: 'MarketDataStale', service: 'market-data', severity: 'critical' },
        { channel: `email ${ONCALL_EMAIL}`, alertname: 'MarketDataStale', service: 'market-data', severity: 'critical' },
        { channel: `sms ${ONCALL_SMS}`, alertname: 'MarketDataStale', service: 'market-data', severity: 'critical' },
      ],
      240_000,
    );
    await fault('clear', 'market-data-stall');
    record('4. market data stall', 'market-data-stall', faultAt, fired);
  }, 300_000);

  it(`5. a stopped service (${STOPPED_SERVICE}) pages ServiceDown, and its other alerts are inhibited`, async () => {
    await assertNotFiring([`ServiceDown{${STOPPED_SERVICE}}`, `ServiceNotReady{${STOPPED_SERVICE}}`]);
    await fault('service-stopped', STOPPED_SERVICE);
    const faultAt = Date.now();
    const fired = await waitForNotifications(
      faultAt,
      [
        { channel: 'slack #alerts-critical', alertname: 'ServiceDown', service: STOPPED_SERVICE, severity: 'critical' },
        { channel: `email ${ONCALL_EMAIL}`, alertname: 'ServiceDown', service: STOPPED_SERVICE, severity: 'critical' },
        { channel: `sms ${ONCALL_SMS}`, alertname: 'ServiceDown', service: STOPPED_SERVICE, severity: 'critical' },
      ],
      240_000,
    );

    // ServiceNotReady (the failing readiness probe, `for: 2m`) fires too; Alertmanager must hold it back.
    const inhibited = await waitFor(
      `ServiceNotReady{${STOPPED_SERVICE}} to fire in Prometheus and be inhibited in Alertmanager`,
      async () => {
        const alerts = await alertmanagerAlerts(run.url('alertmanager'));
        const notReady = alerts.find((alert) => alert.labels.alertname === 'ServiceNotReady' && alert.labels.service === STOPPED_SERVICE);
        return notReady && notReady.status.inhibitedBy.length > 0 ? notReady : undefined;
      },
      240_000,
      2_000,
    );
    const serviceDown = (await alertmanagerAlerts(run.url('alertmanager'))).find((alert) => alert.labels.alertname === 'ServiceDown' && alert.labels.service === STOPPED_SERVICE);
    expect({ state: inhibited.status.state, inhibitedBy: inhibited.status.inhibitedBy }).toEqual({ state: 'suppressed', inhibitedBy: [serviceDown?.fingerprint] });
    // Longer than the warning route's scaled group_wait (30 s / 10): had it not been inhibited, it would be here.
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const leaked = (await receivedNotifications(sinkUrl())).filter(
      (notification) => notification.receivedAt >= faultAt && notification.service === STOPPED_SERVICE && notification.alertname !== 'ServiceDown',
    );
    expect(leaked.map((notification) => `${notification.alertname} ${notification.channel}`)).toEqual([]);

    await fault('clear', 'service-stopped');
    record(`5. ${STOPPED_SERVICE} stopped`, `service-stopped ${STOPPED_SERVICE}`, faultAt, fired, {
      notes: [`inhibited: ServiceNotReady{${STOPPED_SERVICE}} (suppressed by ServiceDown, no notification sent)`],
    });
    expect((await run.script(['health'])).status).toBe(0);
  }, 600_000);
});
