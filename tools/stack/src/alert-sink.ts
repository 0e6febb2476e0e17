import { convert } from 'html-to-text';
import { simpleParser } from 'mailparser';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SMTPServer } from 'smtp-server';

/*
 * The local stand-in for the outside world that alerts reach, which does not exist on a developer's
 * machine or in CI: Slack's incoming webhooks (POST /slack), the watchdog's heartbeat (POST /watchdog),
 * the SMTP relay of the email receivers, and the Twilio-compatible SMS API behind the notification
 * service (POST /sms/2010-04-01/Accounts/<sid>/Messages.json, Basic auth). It keeps what arrives, writes
 * one JSON line per message to stdout (the component's log) and lists the latest at GET /messages.
 * Listens on 127.0.0.1 only.
 */

export type SinkChannel = 'slack' | 'webhook' | 'email' | 'sms';

export interface SinkMessage {
  receivedAt: string;
  channel: SinkChannel;
  /** Slack: the channel named in the payload (`#alerts-critical`); webhook: the path; email: the recipients; SMS: the number. */
  to: string;
  /** Slack and webhook: the JSON body; email: subject and text; SMS: the text. */
  content: unknown;
}

export interface SmsAccount {
  accountSid: string;
  authToken: string;
}

const KEPT_MESSAGES = 2_000;
const MAX_BODY_BYTES = 1024 * 1024;
const SMS_PATH = /^\/sms\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;

export class AlertSink {
  readonly messages: SinkMessage[] = [];

  constructor(private readonly sms?: SmsAccount) {}

  private record(message: Omit<SinkMessage, 'receivedAt'>): void {
    const stamped = { receivedAt: new Date().toISOString(), ...message };
    this.messages.push(stamped);
    if (this.messages.length > KEPT_MESSAGES) this.messages.shift();
    process.stdout.write(`${JSON.stringify(stamped)}\n`);
  }

  readonly http = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return void answer(res, 413, { message: `bodies are limited to ${MAX_BODY_BYTES} bytes` });
      this.handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });

  private handle(req: IncomingMessage, res: ServerResponse, text: string): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (req.method === 'GET' && path === '/messages') return void answer(res, 200, this.messages);
    if (req.method !== 'POST') return void answer(res, 405, { message: 'only GET /health, GET /messages and POSTs' });
    const sms = SMS_PATH.exec(path);
    if (sms) return this.receiveSms(req, res, decodeURIComponent(sms[1]), text);
    const content = parseJson(text);
    if (path === '/slack') {
      const channel = typeof content === 'object' && content !== null && 'channel' in content ? String(content.channel) : '(no channel)';
      this.record({ channel: 'slack', to: channel, content });
    } else {
      this.record({ channel: 'webhook', to: path, content });
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }

  /** Twilio's answer: 201 with the message `sid`; 401 for another account or token, 400 without To or Body. */
  private receiveSms(req: IncomingMessage, res: ServerResponse, accountSid: string, text: string): void {
    if (!this.sms) return void answer(res, 404, { code: 20404, message: 'no SMS account is configured on this stand-in' });
    const expected = `Basic ${Buffer.from(`${this.sms.accountSid}:${this.sms.authToken}`).toString('base64')}`;
    if (accountSid !== this.sms.accountSid || !sameText(req.headers.authorization ?? '', expected)) {
      return void answer(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    const form = new URLSearchParams(text);
    const to = form.get('To');
    const body = form.get('Body');
    if (!to || !body) return void answer(res, 400, { code: 21604, message: "A 'To' phone number and a 'Body' are required.", status: 400 });
    this.record({ channel: 'sms', to, content: body });
    answer(res, 201, { sid: `SM${randomBytes(16).toString('hex')}`, to, from: form.get('From'), body, status: 'queued' });
  }

  /** The mail relay of the email receivers, without TLS or authentication (127.0.0.1 only). */
  readonly smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: MAX_BODY_BYTES,
    onData: (stream, session, callback) => {
      const to = session.envelope.rcptTo.map((address) => address.address).join(', ');
      simpleParser(stream).then(
        (mail) => {
          // Alertmanager sends HTML only: its text, links kept as "Runbook [url]", is what a reader sees.
          const text = mail.text ?? (typeof mail.html === 'string' ? convert(mail.html, { wordwrap: false }) : '');
          this.record({ channel: 'email', to, content: { subject: mail.subject ?? '', text } });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });

  async listen(httpPort: number, smtpPort: number): Promise<void> {
    await new Promise<void>((resolve, reject) => this.http.once('error', reject).listen(httpPort, '127.0.0.1', resolve));
    await new Promise<void>((resolve, reject) => {
      this.smtp.once('error', reject);
      this.smtp.listen(smtpPort, '127.0.0.1', resolve);
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await new Promise<void>((resolve) => this.smtp.close(() => resolve()));
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

if (require.main === module) {
  const httpPort = Number(process.env.ALERT_SINK_PORT);
  const smtpPort = Number(process.env.ALERT_SINK_SMTP_PORT);
  if (!Number.isInteger(httpPort) || !Number.isInteger(smtpPort)) {
    process.stderr.write('ALERT_SINK_PORT and ALERT_SINK_SMTP_PORT must be port numbers\n');
    process.exit(1);
  }
  const { ALERT_SINK_SMS_ACCOUNT_SID: accountSid, ALERT_SINK_SMS_AUTH_TOKEN: authToken } = process.env;
  new AlertSink(accountSid && authToken ? { accountSid, authToken } : undefined).listen(httpPort, smtpPort).then(
    () => process.stdout.write(`${JSON.stringify({ listening: { http: httpPort, smtp: smtpPort, sms: Boolean(accountSid && authToken) } })}\n`),
    (error: Error) => {
      process.stderr.write(`alert-sink could not listen: ${error.message}\n`);
      process.exit(1);
    },
  );
  process.on('SIGTERM', () => process.exit(0));
}
