import type { TrafficOptions } from './options';

/** api-gateway's defaults (RATE_LIMIT_PER_USER, RATE_LIMIT_PER_IP, RATE_LIMIT_AUTH_PER_IP), per one-minute window. */
export const GATEWAY_LIMITS_PER_MINUTE = { perUser: 600, perIp: 1_200, credentialsPerIp: 30 } as const;

/**
 * Warnings for settings that will run into the gateway's rate limits, so that 429s in the summary are
 * expected rather than a surprise. Each user signs in with two credential requests (register, login).
 */
export function rateLimitNotices(options: Pick<TrafficOptions, 'ratePerSecond' | 'users'>, addressPerUser: boolean): string[] {
  const notices: string[] = [];
  const perUserPerMinute = (options.ratePerSecond / options.users) * 60;
  if (perUserPerMinute > GATEWAY_LIMITS_PER_MINUTE.perUser) {
    notices.push(
      `each user will send about ${Math.round(perUserPerMinute)} requests a minute, above the gateway's ${GATEWAY_LIMITS_PER_MINUTE.perUser} per user (RATE_LIMIT_PER_USER): expect 429s, or add --users`,
    );
  }
  if (addressPerUser) return notices;
  const perMinute = options.ratePerSecond * 60;
  if (perMinute > GATEWAY_LIMITS_PER_MINUTE.perIp) {
    notices.push(`${Math.round(perMinute)} requests a minute from one address exceed the gateway's ${GATEWAY_LIMITS_PER_MINUTE.perIp} per IP (RATE_LIMIT_PER_IP): expect 429s`);
  }
  const signIns = options.users * 2;
  if (signIns > GATEWAY_LIMITS_PER_MINUTE.credentialsPerIp) {
    notices.push(
      `signing in ${options.users} users takes ${signIns} register/login requests from one address, above the gateway's ${GATEWAY_LIMITS_PER_MINUTE.credentialsPerIp} a minute per IP (RATE_LIMIT_AUTH_PER_IP): ` +
        `users wait out each 429 (Retry-After), so sign-in takes about ${Math.ceil(signIns / GATEWAY_LIMITS_PER_MINUTE.credentialsPerIp)} minutes`,
    );
  }
  return notices;
}
