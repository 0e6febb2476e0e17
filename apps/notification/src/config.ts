import { ConfigurationError, env, loadEnv } from '@ai-finance/observability';
import { z } from 'zod';

export const NOTIFICATION_CONFIG = Symbol('NOTIFICATION_CONFIG');

export const E164 = /^\+[1-9]\d{6,14}$/;

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const smtpUrl = optionalString.pipe(
  z
    .string()
    .url()
    .refine((value) => /^smtps?:\/\//.test(value), 'must be an smtp:// or smtps:// URL')
    .optional(),
);

const phoneList = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const numbers = value.split(',').map((item) => item.trim()).filter(Boolean);
    for (const number of numbers) {
      if (!E164.test(number)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${number}" is not an E.164 number such as +15551234567` });
    }
    return [...new Set(numbers)];
  });

/** Every channel is optional: one that is not configured records its notifications as skipped. */
export function loadNotificationConfig(source: NodeJS.ProcessEnv = process.env) {
  const values = loadEnv(
    {
      SLACK_WEBHOOK_URL: env.optionalUrl(),
      SMTP_URL: smtpUrl,
      SMTP_FROM: z.string().min(3).default('AI Finance <no-reply@ai-finance.local>'),
      SMS_API_URL: env.optionalUrl(),
      SMS_ACCOUNT_SID: optionalString,
      SMS_AUTH_TOKEN: optionalString,
      SMS_FROM: optionalString.pipe(z.string().regex(E164, 'must be an E.164 number such as +15551234567').optional()),
      ONCALL_SMS_NUMBERS: phoneList,
      NOTIFICATION_WEBHOOK_TOKEN: optionalString,
      NOTIFICATION_DISPATCH_INTERVAL_MS: env.positiveInt(500),
      NOTIFICATION_SEND_TIMEOUT_MS: env.positiveInt(5_000),
      NOTIFICATION_MAX_ATTEMPTS: env.positiveInt(3),
      /** First retry delay; doubles per attempt, capped at 5 minutes. */
      NOTIFICATION_RETRY_BASE_MS: env.positiveInt(2_000),
      NOTIFICATION_DISPATCH_BATCH_SIZE: env.positiveInt(20),
    },
    source,
  );
  const smsParts = { SMS_ACCOUNT_SID: values.SMS_ACCOUNT_SID, SMS_AUTH_TOKEN: values.SMS_AUTH_TOKEN, SMS_FROM: values.SMS_FROM };
  if (values.SMS_API_URL) {
    const missing = Object.entries(smsParts).filter(([, value]) => value === undefined).map(([name]) => name);
    if (missing.length > 0) throw new ConfigurationError(missing.map((name) => `${name}: required when SMS_API_URL is set (not set)`));
  }
  return {
    slack: values.SLACK_WEBHOOK_URL ? { webhookUrl: values.SLACK_WEBHOOK_URL } : undefined,
    email: values.SMTP_URL ? { url: values.SMTP_URL, from: values.SMTP_FROM } : undefined,
    sms: values.SMS_API_URL
      ? { apiUrl: values.SMS_API_URL, accountSid: values.SMS_ACCOUNT_SID!, authToken: values.SMS_AUTH_TOKEN!, from: values.SMS_FROM! }
      : undefined,
    oncallSmsNumbers: values.ONCALL_SMS_NUMBERS,
    webhookToken: values.NOTIFICATION_WEBHOOK_TOKEN,
    dispatchIntervalMs: values.NOTIFICATION_DISPATCH_INTERVAL_MS,
    sendTimeoutMs: values.NOTIFICATION_SEND_TIMEOUT_MS,
    maxAttempts: values.NOTIFICATION_MAX_ATTEMPTS,
    retryBaseMs: values.NOTIFICATION_RETRY_BASE_MS,
    dispatchBatchSize: values.NOTIFICATION_DISPATCH_BATCH_SIZE,
  };
}

export type NotificationConfig = ReturnType<typeof loadNotificationConfig>;
