import { loadNotificationConfig } from '../src/config';

describe('notification configuration', () => {
  it('leaves every channel unconfigured by default, with the documented defaults', () => {
    const config = loadNotificationConfig({});
    expect(config).toMatchObject({ slack: undefined, email: undefined, sms: undefined, oncallSmsNumbers: [], webhookToken: undefined, dispatchIntervalMs: 500, sendTimeoutMs: 5_000, maxAttempts: 3 });
  });

  it('names every SMS variable that is missing when SMS_API_URL is set', () => {
    expect(() => loadNotificationConfig({ SMS_API_URL: 'http://sms.local', SMS_ACCOUNT_SID: 'AC1' })).toThrow(/SMS_AUTH_TOKEN: required when SMS_API_URL is set[\s\S]*SMS_FROM: required/);
  });

  it.each([
    ['ONCALL_SMS_NUMBERS', { ONCALL_SMS_NUMBERS: '+15550001111,555-1234' }, /ONCALL_SMS_NUMBERS: "555-1234" is not an E.164 number/],
    ['SMTP_URL', { SMTP_URL: 'http://mail.local' }, /SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/],
    ['SLACK_WEBHOOK_URL', { SLACK_WEBHOOK_URL: 'not a url' }, /SLACK_WEBHOOK_URL/],
    ['NOTIFICATION_MAX_ATTEMPTS', { NOTIFICATION_MAX_ATTEMPTS: '0' }, /NOTIFICATION_MAX_ATTEMPTS/],
  ])('refuses a bad %s with a message naming it', (_name, env, message) => {
    expect(() => loadNotificationConfig(env)).toThrow(message);
  });

  it('reads a full configuration', () => {
    const config = loadNotificationConfig({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X',
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      SMS_API_URL: 'https://api.twilio.com',
      SMS_ACCOUNT_SID: 'AC1',
      SMS_AUTH_TOKEN: 'secret',
      SMS_FROM: '+15550000001',
      ONCALL_SMS_NUMBERS: ' +15550001111 , +15550002222,+15550001111',
    });
    expect(config.email).toEqual({ url: 'smtps://user:pass@mail.example.com:465', from: 'AI Finance <no-reply@ai-finance.local>' });
    expect(config.sms).toEqual({ apiUrl: 'https://api.twilio.com', accountSid: 'AC1', authToken: 'secret', from: '+15550000001' });
    expect(config.oncallSmsNumbers).toEqual(['+15550001111', '+15550002222']);
  });
});
