import { join } from 'node:path';
import { WORKSPACE_ROOT } from '../src/generate';

export const TEMPLATES_DIR = join(WORKSPACE_ROOT, 'monitoring/alertmanager/templates');

/** Stand-in values: addresses on this machine and example domains, never a real endpoint or secret. */
export const FIXTURE_ENV: Record<string, string> = {
  SMTP_SMARTHOST: '127.0.0.1:2525',
  ALERT_EMAIL_FROM: 'alertmanager@ai-finance.example',
  SMTP_REQUIRE_TLS: 'false',
  ALERTMANAGER_TEMPLATES_DIR: TEMPLATES_DIR,
  SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack',
  ONCALL_EMAIL: 'oncall@ai-finance.example',
  TEAM_EMAIL: 'sre@ai-finance.example',
  BUSINESS_EMAIL: 'business@ai-finance.example',
  SECURITY_EMAIL: 'security@ai-finance.example',
  NOTIFICATION_ALERT_WEBHOOK_URL: 'http://127.0.0.1:3080/alerts/alertmanager',
  NOTIFICATION_WEBHOOK_TOKEN: 'test-token-not-a-secret',
  WATCHDOG_WEBHOOK_URL: 'http://127.0.0.1:9/watchdog',
};
