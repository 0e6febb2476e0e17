import { ServiceMetrics } from '@ai-finance/observability';

export const LOGIN_RESULTS = ['success', 'failure', 'locked'] as const;
export type LoginResult = (typeof LOGIN_RESULTS)[number];

/** login_while_locked: a login refused (423) because the account was already locked, one per refusal. */
export const SECURITY_EVENT_TYPES = ['auth_failure', 'account_locked', 'login_while_locked', 'invalid_token'] as const;
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

export const ACTIVE_USER_WINDOWS = [
  { window: '1h', seconds: 3_600 },
  { window: '24h', seconds: 86_400 },
  { window: '7d', seconds: 604_800 },
] as const;

/** user-management's business metrics, declared in one place. Every label has a fixed set of values. */
export function declareUserManagementMetrics(metrics: ServiceMetrics) {
  const declared = {
    registrations: metrics.counter({
      name: 'user_registrations_total',
      help: 'Accounts created through POST /register.',
    }),
    logins: metrics.counter({
      name: 'user_logins_total',
      help: 'Login attempts by result: success, failure (wrong email or password), locked (account locked out).',
      labelNames: ['result'],
    }),
    activeUsers: metrics.gauge({
      name: 'active_users',
      help: 'Distinct users who logged in or refreshed a token within the window (1h, 24h, 7d).',
      labelNames: ['window'],
    }),
    sessionDuration: metrics.histogram({
      name: 'user_session_duration_seconds',
      help: 'Length of sessions ended by logout, from login to logout.',
      buckets: [60, 300, 900, 1_800, 3_600, 7_200, 14_400, 28_800, 86_400, 259_200, 604_800],
    }),
    securityEvents: metrics.counter({
      name: 'security_events_total',
      help: 'Security events by type: auth_failure, account_locked (an account was locked), login_while_locked (a login refused by a lock already in force), invalid_token.',
      labelNames: ['type'],
    }),
  };
  // Every series exists from the start, so rate() and alert rules see a zero rather than nothing.
  for (const result of LOGIN_RESULTS) declared.logins.inc({ result }, 0);
  for (const type of SECURITY_EVENT_TYPES) declared.securityEvents.inc({ type }, 0);
  return declared;
}

export type UserManagementMetrics = ReturnType<typeof declareUserManagementMetrics>;
export const USER_MANAGEMENT_METRICS = Symbol('USER_MANAGEMENT_METRICS');
