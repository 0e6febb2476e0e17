import { toErrorBody } from '@ai-finance/observability';
import { DatabaseUnavailableError, isDatabaseUnavailable, loadDatabaseConfig, PG_ERRORS, pgErrorCode } from '../src';

const withCode = (code: string, message = 'failed'): Error => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET', 'read ECONNRESET')],
    ['socket timeout', withCode('ETIMEDOUT')],
    ['host name gone with its container', withCode('ENOTFOUND', 'getaddrinfo ENOTFOUND postgres')],
    ['refused on every address of the name', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
    ['link lost mid-statement', new Error('Connection terminated unexpectedly')],
    ['connect timeout of the client', new Error('Connection terminated due to connection timeout')],
    ['connect timeout of the pool', new Error('timeout exceeded when trying to connect')],
    ['client-side query timeout', new Error('Query read timeout')],
    ['client already broken', new Error('Client has encountered a connection error and is not queryable')],
    ['SQLSTATE class 08', withCode('08006')],
    ['protocol violation (class 08)', withCode('08P01')],
    ['admin shutdown', withCode('57P01')],
    ['crash shutdown', withCode('57P02')],
    ['cannot connect now (starting up)', withCode('57P03')],
    ['too many connections', withCode('53300')],
    ['already classified', new DatabaseUnavailableError(new Error('x'))],
  ])('says yes for %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode(PG_ERRORS.uniqueViolation, 'duplicate key value')],
    ['a serialization failure', withCode(PG_ERRORS.serializationFailure)],
    ['a statement timeout (the server answered)', withCode('57014', 'canceling statement due to statement timeout')],
    ['a syntax error', withCode('42601')],
    ['a handler bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a message that merely mentions a timeout', new Error('provider timeout')],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('says no for %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('DatabaseUnavailableError', () => {
  it('becomes a 503 in the platform error body, keeping the driver error as cause', () => {
    const cause = withCode('ECONNREFUSED');
    const error = new DatabaseUnavailableError(cause);
    expect(toErrorBody(error, 'req-1')).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'PostgreSQL is unavailable; try again shortly',
      request_id: 'req-1',
    });
    expect(error.cause).toBe(cause);
    expect(error.retryAfterSeconds).toBe(5);
  });

  it("lets pgErrorCode still read the cause's code", () => {
    expect(pgErrorCode(new DatabaseUnavailableError(withCode('57P01')))).toBe('57P01');
  });
});

describe('DATABASE_QUERY_TIMEOUT_MS', () => {
  it('defaults to one second above the statement timeout', () => {
    expect(loadDatabaseConfig('x', { DATABASE_STATEMENT_TIMEOUT_MS: '2000' }).queryTimeoutMs).toBe(3000);
    expect(loadDatabaseConfig('x', {}).queryTimeoutMs).toBe(6000);
  });

  it('rejects a value that is not a positive integer, or not above the statement timeout, naming the variable', () => {
    expect(() => loadDatabaseConfig('x', { DATABASE_QUERY_TIMEOUT_MS: 'soon' })).toThrow(/DATABASE_QUERY_TIMEOUT_MS/);
    expect(() => loadDatabaseConfig('x', { DATABASE_QUERY_TIMEOUT_MS: '5000' })).toThrow(/DATABASE_QUERY_TIMEOUT_MS: must be greater than DATABASE_STATEMENT_TIMEOUT_MS/);
    expect(loadDatabaseConfig('x', { DATABASE_QUERY_TIMEOUT_MS: '9000' }).queryTimeoutMs).toBe(9000);
  });
});
