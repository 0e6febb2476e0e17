import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication, Type } from '@nestjs/common';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';
import {
  captureEvents,
  createRabbitNamespace,
  createTestDatabase,
  freePort,
  openEventPublisher,
  promtoolCheckMetrics,
  sampleValue,
  scrapeMetrics,
  serviceEnv,
  startNestApp,
  TestEnv,
  waitFor,
  type EventCapture,
  type EventPublisher,
  type TestDatabase,
  type TestRabbitNamespace,
} from '@ai-finance/testing';

// notification in-process against the real PostgreSQL and RabbitMQ; a real SMTP server (smtp-server)
// and local HTTP servers that behave like Slack's webhook and a Twilio-compatible SMS API.
const SMS_SID = 'AC0123456789abcdef';
const SMS_TOKEN = 'sms-secret-token';
const SMS_FROM = '+15550000001';
const ONCALL = ['+15550001111', '+15550002222'];
const FAILING_NUMBER = '+15559999999';
const WEBHOOK_TOKEN = 'alertmanager-webhook-token';
const OPERATOR = { 'x-user-id': randomUUID(), 'x-user-role': 'operator' };

interface ReceivedMail {
  rcptTo: string[];
  headers: Record<string, string>;
  body: string;
}

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface NotificationRow {
  id: string;
  user_id: string | null;
  channel: string;
  recipient: string | null;
  subject: string;
  body: string;
  status: string;
  attempts: number;
  last_error: string | null;
  source_event_id: string | null;
  sent_at: Date | null;
}

/** Decodes a plain-text MIME part as nodemailer writes it (7bit or quoted-printable). */
function parseMail(raw: string, rcptTo: string[]): ReceivedMail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = rest.join('\n\n');
  if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) {
    body = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  }
  return { rcptTo, headers, body: body.replace(/\r\n/g, '\n') };
}

async function httpRecorder(answer: (request: ReceivedRequest) => { status: number; body: string }): Promise<{ server: Server; url: string; requests: ReceivedRequest[] }> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      const { status, body } = answer(received);
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

describe('notification (real PostgreSQL, RabbitMQ and SMTP server)', () => {
  const env = new TestEnv();
  let database: TestDatabase;
  let rabbit: TestRabbitNamespace;
  let bareRabbit: TestRabbitNamespace;
  let AppModule: Type<unknown>;
  let app: INestApplication;
  let sql: Client;
  let publisher: EventPublisher;
  let events: EventCapture;
  let smtp: SMTPServer;
  const mails: ReceivedMail[] = [];
  let slack: Awaited<ReturnType<typeof httpRecorder>>;
  let sms: Awaited<ReturnType<typeof httpRecorder>>;

  const http = () => request(app.getHttpServer());

  const publish = (routingKey: string, payload: unknown, messageId?: string): Promise<string> => publisher.publish(routingKey, payload, messageId);

  async function notificationsOf(sourceEventId: string, schema = 'notification'): Promise<NotificationRow[]> {
    return (await sql.query<NotificationRow>(`SELECT * FROM ${schema}.notifications WHERE source_event_id = $1 ORDER BY created_at`, [sourceEventId])).rows;
  }

  async function settled(what: string, probe: () => Promise<NotificationRow[]>, count: number): Promise<NotificationRow[]> {
    return waitFor(`${count} settled notification(s) for ${what}`, async () => {
      const rows = await probe();
      return rows.length === count && rows.every((row) => row.status !== 'pending') ? rows : undefined;
    });
  }

  /** Publishes user.registered and waits until its welcome email is settled. */
  async function registerAndWait(user: ReturnType<typeof registered>): Promise<void> {
    const eventId = await publish('user.registered', user);
    await settled(`the welcome email of ${user.email}`, () => notificationsOf(eventId), 1);
  }

  async function countNotifications(): Promise<number> {
    return Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM notification.notifications')).rows[0]!.n);
  }

  function metrics(instance: INestApplication = app): Promise<string> {
    return scrapeMetrics(instance);
  }

  function registered(overrides: Partial<{ userId: string; email: string; phone: string }> = {}) {
    const userId = overrides.userId ?? randomUUID();
    return { userId, email: overrides.email ?? `user-${userId.slice(0, 8)}@example.com`, ...(overrides.phone ? { phone: overrides.phone } : {}), registeredAt: new Date().toISOString() };
  }

  function alertmanagerBody(status: 'firing' | 'resolved', summary = 'Payment error rate above 5% for 5 minutes') {
    const alert = {
      status,
      labels: { alertname: 'PaymentHighErrorRate', service: 'payment', severity: 'critical' },
      annotations: { summary, runbook_url: 'https://runbooks.example/payment' },
      startsAt: '2026-01-01T10:00:00Z',
      endsAt: status === 'resolved' ? '2026-01-01T10:20:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: 'c0ffee1234',
    };
    return {
      version: '4',
      groupKey: '{}:{alertname="PaymentHighErrorRate"}',
      truncatedAlerts: 0,
      status,
      receiver: 'oncall-sms',
      groupLabels: { alertname: 'PaymentHighErrorRate' },
      commonLabels: alert.labels,
      commonAnnotations: alert.annotations,
      externalURL: 'http://alertmanager:9093',
      alerts: [alert],
    };
  }

  beforeAll(async () => {
    database = await createTestDatabase('notification');
    rabbit = createRabbitNamespace('notification');
    bareRabbit = createRabbitNamespace('notification-bare');

    const smtpPort = await freePort();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((address) => address.address)));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    slack = await httpRecorder(() => ({ status: 200, body: 'ok' }));
    sms = await httpRecorder((req) =>
      new URLSearchParams(req.body).get('To') === FAILING_NUMBER
        ? { status: 500, body: JSON.stringify({ code: 20500, message: 'Internal Server Error', status: 500 }) }
        : { status: 201, body: JSON.stringify({ sid: `SM${randomUUID().replace(/-/g, '')}`, status: 'queued' }) },
    );

    env.set({
      ...serviceEnv(database, rabbit),
      SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/XXXX`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      SMTP_FROM: 'AI Finance Test <no-reply@ai-finance.test>',
      SMS_API_URL: sms.url,
      SMS_ACCOUNT_SID: SMS_SID,
      SMS_AUTH_TOKEN: SMS_TOKEN,
      SMS_FROM,
      ONCALL_SMS_NUMBERS: ONCALL.join(','),
      NOTIFICATION_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      NOTIFICATION_DISPATCH_INTERVAL_MS: '50',
      NOTIFICATION_RETRY_BASE_MS: '50',
      NOTIFICATION_SEND_TIMEOUT_MS: '2000',
      NOTIFICATION_MAX_ATTEMPTS: '3',
    });
    ({ AppModule } = await import('../src/app.module'));
    events = await captureEvents(rabbit.exchange, ['notification.*']);
    app = await startNestApp(AppModule);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    publisher = await openEventPublisher(rabbit.exchange);
  });

  afterAll(async () => {
    await app?.close();
    await events?.close();
    await sql?.end();
    await publisher?.close();
    await rabbit?.cleanup(['notification.events']);
    await bareRabbit?.cleanup(['notification.events']);
    await database?.drop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    slack?.server.close();
    sms?.server.close();
    env.restore();
  });

  it('stores the recipient of user.registered and delivers a welcome email through the SMTP server, publishing notification.sent', async () => {
    const before = await metrics();
    const user = registered({ phone: '+15551230000' });
    const eventId = await publish('user.registered', user);

    const [row] = await settled('the welcome email', () => notificationsOf(eventId), 1);

    expect(row).toMatchObject({ user_id: user.userId, channel: 'email', recipient: user.email, subject: 'Welcome to AI Finance', status: 'sent', attempts: 1, last_error: null });
    expect(row!.sent_at).toBeInstanceOf(Date);
    const stored = (await sql.query('SELECT email, phone FROM notification.recipients WHERE user_id = $1', [user.userId])).rows;
    expect(stored).toEqual([{ email: user.email, phone: '+15551230000' }]);

    const mail = await waitFor('the welcome email at the SMTP server', () => mails.find((received) => received.rcptTo.includes(user.email)));
    expect(mail.headers.to).toBe(user.email);
    expect(mail.headers.from).toBe('AI Finance Test <no-reply@ai-finance.test>');
    expect(mail.headers.subject).toBe('Welcome to AI Finance');
    expect(mail.body).toContain(`welcome to AI Finance! Your account for ${user.email} is ready`);

    const sent = await waitFor('notification.sent for the welcome email', () => events.withKey('notification.sent').find((event) => event.payload.notificationId === row!.id));
    expect(sent.payload).toEqual({ notificationId: row!.id, channel: 'email', recipient: user.email, subject: 'Welcome to AI Finance', userId: user.userId, occurredAt: expect.any(String) });

    const after = await metrics();
    expect(sampleValue(after, 'notifications_sent_total', { channel: 'email', status: 'sent' }) - sampleValue(before, 'notifications_sent_total', { channel: 'email', status: 'sent' })).toBe(1);
    expect(sampleValue(after, 'notification_delivery_duration_seconds_count', { channel: 'email' }) - sampleValue(before, 'notification_delivery_duration_seconds_count', { channel: 'email' })).toBe(1);
  });

  it('handles a user.registered delivered twice with the same message id once: one recipient row, one email', async () => {
    const user = registered();
    const eventId = randomUUID();
    await publish('user.registered', user, eventId);
    await publish('user.registered', user, eventId);
    const marker = await publish('user.registered', registered());
    await settled('the marker welcome email', () => notificationsOf(marker), 1);
    await settled('the duplicated welcome email', () => notificationsOf(eventId), 1);

    expect(mails.filter((mail) => mail.rcptTo.includes(user.email))).toHaveLength(1);
  });

  it('emails a receipt with amount, currency and plan for payment.succeeded of a registered user', async () => {
    const user = registered();
    await registerAndWait(user);
    const paymentId = randomUUID();
    const eventId = await publish('payment.succeeded', { paymentId, userId: user.userId, amount: '49.99', currency: 'USD', method: 'card', provider: 'stripe', plan: 'pro', occurredAt: '2026-01-05T12:00:00.000Z' });

    const [row] = await settled('the receipt', () => notificationsOf(eventId), 1);

    expect(row).toMatchObject({ status: 'sent', channel: 'email', recipient: user.email, subject: 'Your AI Finance receipt: 49.99 USD' });
    const mail = await waitFor('the receipt at the SMTP server', () => mails.find((received) => received.rcptTo.includes(user.email) && received.headers.subject?.includes('receipt')));
    expect(mail.body).toContain('Amount: 49.99 USD');
    expect(mail.body).toContain('Plan: pro');
    expect(mail.body).toContain(`Payment id: ${paymentId}`);
  });

  it('emails a registered user about payment.failed with the reason', async () => {
    const user = registered();
    await registerAndWait(user);
    const eventId = await publish('payment.failed', { paymentId: randomUUID(), userId: user.userId, amount: '10.00', currency: 'EUR', method: 'card', reason: 'card declined', occurredAt: new Date().toISOString() });

    const [row] = await settled('the payment-failed email', () => notificationsOf(eventId), 1);

    expect(row).toMatchObject({ status: 'sent', subject: 'Your AI Finance payment of 10.00 EUR failed' });
    const mail = await waitFor('the payment-failed email', () => mails.find((received) => received.rcptTo.includes(user.email) && received.headers.subject?.includes('failed')));
    expect(mail.body).toContain('Reason: card declined');
  });

  it('records payment.failed for a user it never saw registered as skipped with the reason, and counts it', async () => {
    const before = sampleValue(await metrics(), 'notifications_sent_total', { channel: 'email', status: 'skipped' });
    const userId = randomUUID();
    const eventId = await publish('payment.failed', { paymentId: randomUUID(), userId, amount: '10.00', currency: 'USD', method: 'card', reason: 'insufficient funds', occurredAt: new Date().toISOString() });

    const [row] = await settled('the skipped email', () => notificationsOf(eventId), 1);

    expect(row).toMatchObject({ user_id: userId, channel: 'email', recipient: null, status: 'skipped', attempts: 0, last_error: expect.stringContaining('unknown recipient') });
    expect(sampleValue(await metrics(), 'notifications_sent_total', { channel: 'email', status: 'skipped' })).toBe(before + 1);
  });

  it('on user.locked emails the user, texts their phone through the SMS API with Basic auth, and posts to Slack', async () => {
    const user = registered({ phone: '+15557654321' });
    await registerAndWait(user);
    const eventId = await publish('user.locked', { userId: user.userId, email: user.email, ipAddress: '203.0.113.9', failedAttempts: 5, lockedUntil: '2026-01-05T12:30:00.000Z' });

    const rows = await settled('the lock notifications', () => notificationsOf(eventId), 3);

    expect(rows.map((row) => [row.channel, row.status, row.user_id])).toEqual([
      ['email', 'sent', user.userId],
      ['sms', 'sent', user.userId],
      ['slack', 'sent', null],
    ]);
    const text = sms.requests.find((req) => new URLSearchParams(req.body).get('To') === user.phone);
    expect(text).toBeDefined();
    expect(text!.method).toBe('POST');
    expect(text!.url).toBe(`/2010-04-01/Accounts/${SMS_SID}/Messages.json`);
    expect(text!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(text!.headers.authorization).toBe(`Basic ${Buffer.from(`${SMS_SID}:${SMS_TOKEN}`).toString('base64')}`);
    const form = new URLSearchParams(text!.body);
    expect(form.get('From')).toBe(SMS_FROM);
    expect(form.get('Body')).toContain('your account was locked after 5 failed sign-in attempts');
    expect(form.get('Body')!.length).toBeLessThanOrEqual(160);

    const post = slack.requests.find((req) => req.body.includes(user.userId));
    expect(post).toBeDefined();
    expect(post!.url).toBe('/services/T000/B000/XXXX');
    expect(post!.headers['content-type']).toBe('application/json');
    const message = JSON.parse(post!.body) as { text: string; blocks: unknown[] };
    expect(message.text).toContain('203.0.113.9');
    expect(message.blocks).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'header' })]));

    const mail = await waitFor('the lock email', () => mails.find((received) => received.rcptTo.includes(user.email) && received.headers.subject === 'Your AI Finance account was locked'));
    expect(mail.body).toContain('It unlocks at 2026-01-05T12:30:00.000Z');
  });

  it('retries an SMS the API answers 500 to, then records it failed after 3 attempts with notification.failed and the failed counter', async () => {
    const before = sampleValue(await metrics(), 'notifications_sent_total', { channel: 'sms', status: 'failed' });
    const response = await http().post('/notifications').set(OPERATOR).send({ channel: 'sms', recipient: FAILING_NUMBER, subject: 'Test', message: 'This one fails' });
    expect(response.status).toBe(202);
    const id = response.body.id as string;

    const row = await waitFor('the SMS to be recorded failed', async () => {
      const found = (await sql.query<NotificationRow>('SELECT * FROM notification.notifications WHERE id = $1', [id])).rows[0];
      return found?.status === 'failed' ? found : undefined;
    });

    expect(row).toMatchObject({ attempts: 3, last_error: expect.stringContaining('SMS API answered 500') });
    expect(row.last_error).not.toContain(SMS_TOKEN);
    expect(sms.requests.filter((req) => new URLSearchParams(req.body).get('To') === FAILING_NUMBER)).toHaveLength(3);
    const failed = await waitFor('notification.failed', () => events.withKey('notification.failed').find((event) => event.payload.notificationId === id));
    expect(failed.payload).toMatchObject({ channel: 'sms', recipient: FAILING_NUMBER, error: expect.stringContaining('500') });
    expect(sampleValue(await metrics(), 'notifications_sent_total', { channel: 'sms', status: 'failed' })).toBe(before + 1);
  });

  it('pages every on-call number by SMS for a firing and then a resolved Alertmanager notification', async () => {
    const firing = await http().post('/alerts/alertmanager').set('authorization', `Bearer ${WEBHOOK_TOKEN}`).send(alertmanagerBody('firing'));
    expect(firing.status).toBe(202);
    expect(firing.body).toEqual({ queued: 2, alerts: 1 });
    const resolved = await http().post('/alerts/alertmanager').set('authorization', `Bearer ${WEBHOOK_TOKEN}`).send(alertmanagerBody('resolved'));
    expect(resolved.body).toEqual({ queued: 2, alerts: 1 });

    const expectedFiring = '[FIRING] PaymentHighErrorRate service=payment severity=critical: Payment error rate above 5% for 5 minutes https://runbooks.example/payment';
    const expectedResolved = '[RESOLVED] PaymentHighErrorRate service=payment severity=critical: Payment error rate above 5% for 5 minutes https://runbooks.example/payment';
    for (const number of ONCALL) {
      for (const body of [expectedFiring, expectedResolved]) {
        await waitFor(`SMS "${body}" to ${number}`, () =>
          sms.requests.find((req) => {
            const form = new URLSearchParams(req.body);
            return form.get('To') === number && form.get('Body') === body ? req : undefined;
          }),
        );
      }
    }
    const rows = (await sql.query<NotificationRow>(`SELECT * FROM notification.notifications WHERE source_event_id LIKE 'alertmanager:c0ffee1234:%'`)).rows;
    expect(rows).toHaveLength(4);
  });

  it('cuts a long alert summary, never the runbook link, to fit one 160-character SMS segment', async () => {
    const summary = `Checkout latency ${'is far above the objective '.repeat(10)}END`;
    const response = await http().post('/alerts/alertmanager').set('authorization', `Bearer ${WEBHOOK_TOKEN}`).send(alertmanagerBody('firing', summary));
    expect(response.status).toBe(202);

    const text = await waitFor('the truncated page', () => sms.requests.map((req) => new URLSearchParams(req.body).get('Body') ?? '').find((body) => body.includes('Checkout latency')));
    expect(text.length).toBe(160);
    expect(text.startsWith('[FIRING] PaymentHighErrorRate service=payment severity=critical: Checkout latency is far')).toBe(true);
    expect(text.endsWith('... https://runbooks.example/payment')).toBe(true);
  });

  it.each([
    { label: 'no Authorization header', headers: {} },
    { label: 'a wrong token', headers: { authorization: 'Bearer not-the-token' } },
    { label: 'the token without the Bearer scheme', headers: { authorization: WEBHOOK_TOKEN } },
  ])('refuses the Alertmanager webhook with 401 and queues nothing for $label', async ({ headers }) => {
    const before = await countNotifications();
    const response = await http().post('/alerts/alertmanager').set(headers).send(alertmanagerBody('firing'));
    expect(response.status).toBe(401);
    expect(await countNotifications()).toBe(before);
  });

  it.each([
    { label: 'an empty object', body: {} },
    { label: 'a JSON array', body: [1, 2] },
    { label: 'version 3', body: { ...alertmanagerBody('firing'), version: '3' } },
    { label: 'alerts that is not an array', body: { ...alertmanagerBody('firing'), alerts: 'many' } },
    { label: 'an alert without alertname', body: { ...alertmanagerBody('firing'), alerts: [{ ...alertmanagerBody('firing').alerts[0], labels: { service: 'payment' } }] } },
    { label: 'an alert with an unknown status', body: { ...alertmanagerBody('firing'), alerts: [{ ...alertmanagerBody('firing').alerts[0], status: 'exploding' }] } },
  ])('answers 400 and queues nothing for a webhook body with $label', async ({ body }) => {
    const before = await countNotifications();
    const response = await http().post('/alerts/alertmanager').set('authorization', `Bearer ${WEBHOOK_TOKEN}`).send(body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    expect(await countNotifications()).toBe(before);
  });

  it('answers 400 for a webhook body that is not JSON', async () => {
    const before = await countNotifications();
    const response = await http().post('/alerts/alertmanager').set('authorization', `Bearer ${WEBHOOK_TOKEN}`).set('content-type', 'application/json').send('{"version": "4", ');
    expect(response.status).toBe(400);
    expect(await countNotifications()).toBe(before);
  });

  it('posts an operator message to the Slack webhook: POST /notifications answers 202 and the message arrives', async () => {
    const response = await http().post('/notifications').set(OPERATOR).send({ channel: 'slack', subject: 'Deploy', message: 'payment v2 rolled out' });

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ id: expect.any(String), status: 'pending', channel: 'slack', recipient: null });
    const post = await waitFor('the operator message at Slack', () => slack.requests.find((req) => req.body.includes('payment v2 rolled out')));
    expect(JSON.parse(post.body)).toMatchObject({ text: 'Deploy: payment v2 rolled out' });
  });

  it.each([
    { label: 'no x-user-id', headers: { 'x-user-role': 'operator' }, body: { channel: 'slack', subject: 's', message: 'm' }, status: 401, message: 'requests must come through api-gateway' },
    { label: 'role user', headers: { 'x-user-id': randomUUID(), 'x-user-role': 'user' }, body: { channel: 'slack', subject: 's', message: 'm' }, status: 403, message: 'operators only' },
    { label: 'an unknown channel', headers: OPERATOR, body: { channel: 'fax', subject: 's', message: 'm' }, status: 400, message: 'channel must be one of slack, email, sms' },
    { label: 'email without recipient', headers: OPERATOR, body: { channel: 'email', subject: 's', message: 'm' }, status: 400, message: 'recipient is required for email' },
    { label: 'email to a non-address', headers: OPERATOR, body: { channel: 'email', recipient: 'nobody', subject: 's', message: 'm' }, status: 400, message: 'recipient must be an email address' },
    { label: 'sms to a non-E.164 number', headers: OPERATOR, body: { channel: 'sms', recipient: '555-1234', subject: 's', message: 'm' }, status: 400, message: 'E.164' },
    { label: 'slack with a recipient', headers: OPERATOR, body: { channel: 'slack', recipient: '#ops', subject: 's', message: 'm' }, status: 400, message: 'recipient must not be given for slack' },
    { label: 'no subject', headers: OPERATOR, body: { channel: 'slack', message: 'm' }, status: 400, message: 'subject must be 1 to 200 characters' },
    { label: 'an empty message', headers: OPERATOR, body: { channel: 'slack', subject: 's', message: '' }, status: 400, message: 'message must be 1 to 4000 characters' },
    { label: 'an unknown field', headers: OPERATOR, body: { channel: 'slack', subject: 's', message: 'm', priority: 'high' }, status: 400, message: 'property priority should not exist' },
  ])('refuses POST /notifications with $label ($status) and queues nothing', async ({ headers, body, status, message }) => {
    const before = await countNotifications();
    const response = await http().post('/notifications').set(headers as Record<string, string>).send(body);
    expect(response.status).toBe(status);
    expect(response.body.message).toContain(message);
    expect(await countNotifications()).toBe(before);
  });

  it("lists only the caller's own notifications, newest first, with GET /notifications", async () => {
    const alice = registered();
    const bob = registered();
    await registerAndWait(alice);
    await registerAndWait(bob);
    const receiptId = await publish('payment.succeeded', { paymentId: randomUUID(), userId: alice.userId, amount: '5.00', currency: 'USD', method: 'card', provider: 'stripe', plan: 'basic', occurredAt: new Date().toISOString() });
    await settled('alice receipt', () => notificationsOf(receiptId), 1);

    const forAlice = await http().get('/notifications').set('x-user-id', alice.userId);
    expect(forAlice.status).toBe(200);
    expect(forAlice.body.notifications.map((n: { subject: string }) => n.subject)).toEqual(['Your AI Finance receipt: 5.00 USD', 'Welcome to AI Finance']);
    expect(forAlice.body.notifications[0]).toMatchObject({ channel: 'email', recipient: alice.email, status: 'sent', attempts: 1, lastError: null, sentAt: expect.any(String) });

    const forBob = await http().get('/notifications?limit=1').set('x-user-id', bob.userId);
    expect(forBob.body.notifications).toHaveLength(1);
    expect(forBob.body.notifications[0]).toMatchObject({ recipient: bob.email, subject: 'Welcome to AI Finance' });

    expect((await http().get('/notifications')).status).toBe(401);
    expect((await http().get('/notifications').set('x-user-id', 'bob')).status).toBe(401);
    for (const limit of ['0', '101', 'x']) {
      const response = await http().get(`/notifications?limit=${limit}`).set('x-user-id', bob.userId);
      expect({ limit, status: response.status }).toEqual({ limit, status: 400 });
    }
  });

  it('exports the notification metrics, with nothing pending once delivered, and /metrics passes promtool', async () => {
    const body = await waitFor('notifications_pending to drop to 0', async () => {
      const text = await metrics();
      return /^notifications_pending\{service="notification"\} 0$/m.test(text) ? text : undefined;
    });
    const sentByChannel = (await sql.query<{ channel: string; status: string; n: string }>('SELECT channel, status, count(*) AS n FROM notification.notifications GROUP BY channel, status')).rows;
    for (const { channel, status, n } of sentByChannel) {
      expect({ channel, status, counted: sampleValue(body, 'notifications_sent_total', { channel, status }) }).toEqual({ channel, status, counted: Number(n) });
    }
    expect(body).toMatch(/^notification_delivery_duration_seconds_bucket\{[^}]*channel="sms"[^}]*\} \d+/m);
    expect(body).toMatch(/^# TYPE notifications_sent_total counter/m);
    const check = promtoolCheckMetrics(body);
    expect({ exitCode: check.exitCode, output: check.output }).toEqual({ exitCode: 0, output: '' });
  });

  describe('with no channel configured', () => {
    let bare: INestApplication;
    let barePublisher: EventPublisher;

    beforeAll(async () => {
      env.unset(['SLACK_WEBHOOK_URL', 'SMTP_URL', 'SMS_API_URL', 'SMS_ACCOUNT_SID', 'SMS_AUTH_TOKEN', 'SMS_FROM', 'ONCALL_SMS_NUMBERS', 'NOTIFICATION_WEBHOOK_TOKEN']);
      env.set({ DATABASE_SCHEMA: 'notification_bare', EVENTS_EXCHANGE: bareRabbit.exchange, RABBITMQ_QUEUE_PREFIX: bareRabbit.queuePrefix });
      bare = await startNestApp(AppModule);
      barePublisher = await openEventPublisher(bareRabbit.exchange);
    });

    afterAll(async () => {
      await barePublisher?.close();
      await bare?.close();
    });

    it('records notifications for unconfigured channels as skipped, not failed, and counts them skipped', async () => {
      const response = await request(bare.getHttpServer()).post('/notifications').set(OPERATOR).send({ channel: 'slack', subject: 'Deploy', message: 'nobody listens' });
      expect(response.status).toBe(202);
      const eventId = await barePublisher.publish('user.registered', registered());

      const [welcome] = await settled('the skipped welcome email', () => notificationsOf(eventId, 'notification_bare'), 1);
      expect(welcome).toMatchObject({ status: 'skipped', attempts: 0, last_error: 'channel email is not configured (SMTP_URL is not set)' });
      const slackRow = await waitFor('the skipped slack message', async () => {
        const row = (await sql.query<NotificationRow>('SELECT * FROM notification_bare.notifications WHERE id = $1', [response.body.id])).rows[0];
        return row?.status === 'skipped' ? row : undefined;
      });
      expect(slackRow.last_error).toBe('channel slack is not configured (SLACK_WEBHOOK_URL is not set)');

      const body = await metrics(bare);
      expect(sampleValue(body, 'notifications_sent_total', { channel: 'slack', status: 'skipped' })).toBe(1);
      expect(sampleValue(body, 'notifications_sent_total', { channel: 'email', status: 'skipped' })).toBe(1);
      expect(sampleValue(body, 'notifications_sent_total', { status: 'failed' })).toBe(0);
    });

    it('accepts an Alertmanager notification without a token when none is configured, and queues nothing without on-call numbers', async () => {
      const response = await request(bare.getHttpServer()).post('/alerts/alertmanager').send(alertmanagerBody('firing'));
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ queued: 0, alerts: 1 });
    });
  });
});
