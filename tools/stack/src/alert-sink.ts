import { createServer as createHttpServer } from 'node:http';
import { SMTPServer } from 'smtp-server';

/*
 * The local stand-in for the places Alertmanager notifies that do not exist on a developer's machine:
 * Slack (any POST, e.g. /slack), the watchdog's heartbeat (/watchdog) and the SMTP server of the email
 * receivers. It accepts everything, writes one JSON line per message to stdout (the component's log) and
 * keeps the latest ones for GET /messages. On-call SMS goes to the notification service instead, as in
 * the compose stack. Listens on 127.0.0.1 only.
 */

export interface SinkMessage {
  receivedAt: string;
  channel: 'http' | 'email';
  /** The HTTP path (`/slack`, `/watchdog`) or the email's recipients. */
  to: string;
  /** The JSON body of an HTTP post, or the email's subject. */
  content: unknown;
}

const KEPT_MESSAGES = 500;

export class AlertSink {
  readonly messages: SinkMessage[] = [];

  private record(message: SinkMessage): void {
    this.messages.push(message);
    if (this.messages.length > KEPT_MESSAGES) this.messages.shift();
    process.stdout.write(`${JSON.stringify(message)}\n`);
  }

  readonly http = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/health') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      if (req.method === 'GET' && path === '/messages') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.messages));
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const text = Buffer.concat(chunks).toString('utf8');
      let content: unknown = text;
      try {
        content = JSON.parse(text);
      } catch {
        // kept as text
      }
      this.record({ receivedAt: new Date().toISOString(), channel: 'http', to: path, content });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });

  /** The mail relay of the email receivers, without TLS or authentication (127.0.0.1 only). */
  readonly smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const headers = Buffer.concat(chunks).toString('utf8').split(/\r?\n\r?\n/)[0];
        const subject = /^subject:[ \t]*(.*)$/im.exec(headers)?.[1] ?? '';
        const to = session.envelope.rcptTo.map((address) => address.address).join(', ');
        this.record({ receivedAt: new Date().toISOString(), channel: 'email', to, content: subject });
        callback();
      });
    },
  });

  async listen(httpPort: number, smtpPort: number): Promise<void> {
    await new Promise<void>((resolve, reject) => this.http.once('error', reject).listen(httpPort, '127.0.0.1', resolve));
    await new Promise<void>((resolve, reject) => {
      this.smtp.once('error', reject);
      this.smtp.listen(smtpPort, '127.0.0.1', resolve);
    });
  }
}

if (require.main === module) {
  const httpPort = Number(process.env.ALERT_SINK_PORT);
  const smtpPort = Number(process.env.ALERT_SINK_SMTP_PORT);
  if (!Number.isInteger(httpPort) || !Number.isInteger(smtpPort)) {
    process.stderr.write('ALERT_SINK_PORT and ALERT_SINK_SMTP_PORT must be port numbers\n');
    process.exit(1);
  }
  new AlertSink().listen(httpPort, smtpPort).then(
    () => process.stdout.write(`${JSON.stringify({ listening: { http: httpPort, smtp: smtpPort } })}\n`),
    (error: Error) => {
      process.stderr.write(`alert-sink could not listen: ${error.message}\n`);
      process.exit(1);
    },
  );
  process.on('SIGTERM', () => process.exit(0));
}
