import { ConfigurationError } from '@ai-finance/observability';
import { errorThrownBy } from '@ai-finance/testing';
import { loadUserManagementConfig } from '../src/config';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

const errorOf = (load: () => unknown): Error => errorThrownBy(load, 'loadUserManagementConfig');

describe('loadUserManagementConfig', () => {
  it('uses the documented defaults for everything but JWT_SECRET', () => {
    expect(loadUserManagementConfig({ JWT_SECRET: SECRET })).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: 'user-management:',
      jwtSecret: SECRET,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 604_800,
      loginMaxFailures: 5,
      loginFailureWindowSeconds: 900,
      loginLockoutSeconds: 900,
      activeUsersRefreshIntervalMs: 15_000,
    });
  });

  it('refuses to start without JWT_SECRET, naming the variable', () => {
    const error = errorOf(() => loadUserManagementConfig({}));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('JWT_SECRET: is required');
  });

  it('rejects a JWT_SECRET shorter than 32 characters without echoing its value', () => {
    const shortSecret = 'short-secret-31-characters-long';
    const error = errorOf(() => loadUserManagementConfig({ JWT_SECRET: shortSecret }));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('JWT_SECRET: must be at least 32 characters (got 31 characters; value not shown)');
    expect(error.message).not.toContain(shortSecret);
  });

  it('reports a bad numeric setting and a missing JWT_SECRET together, each by name', () => {
    const error = errorOf(() => loadUserManagementConfig({ LOGIN_MAX_FAILURES: '0' }));

    expect(error.message).toMatch(/LOGIN_MAX_FAILURES: .*\(got "0"\)/);
    expect(error.message).toContain('JWT_SECRET');
  });

  it('reads every setting from the given environment', () => {
    expect(
      loadUserManagementConfig({
        JWT_SECRET: SECRET,
        REDIS_URL: 'redis://redis:6380',
        REDIS_KEY_PREFIX: 'um-test:',
        ACCESS_TOKEN_TTL_SECONDS: '60',
        REFRESH_TOKEN_TTL_SECONDS: '3600',
        LOGIN_MAX_FAILURES: '3',
        LOGIN_FAILURE_WINDOW_SECONDS: '120',
        LOGIN_LOCKOUT_SECONDS: '300',
        ACTIVE_USERS_REFRESH_INTERVAL_MS: '1000',
      }),
    ).toEqual({
      redisUrl: 'redis://redis:6380',
      redisKeyPrefix: 'um-test:',
      jwtSecret: SECRET,
      accessTokenTtlSeconds: 60,
      refreshTokenTtlSeconds: 3_600,
      loginMaxFailures: 3,
      loginFailureWindowSeconds: 120,
      loginLockoutSeconds: 300,
      activeUsersRefreshIntervalMs: 1_000,
    });
  });
});
