import { errorThrownBy } from '@ai-finance/testing';
import { DEFAULT_MIX, parseMix } from '../src/action-mix';
import { parseBruteForceArguments } from '../src/brute-force-options';
import { parseDurationMs } from '../src/durations';
import { OptionsError } from '../src/errors';
import { parseTrafficArguments, type TrafficCliOptions } from '../src/options';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseTrafficArguments(argv, env) as TrafficCliOptions;
const problemWith = (run: () => unknown): string => {
  const error = errorThrownBy(run, 'parsing the arguments');
  expect(error).toBeInstanceOf(OptionsError);
  return error.message;
};

describe('traffic options', () => {
  it('defaults to 10 arrivals a second from 50 users at the local gateway, until stopped, with the documented mix', () => {
    const options = parse([]);
    expect(options).toEqual({
      gatewayUrl: new URL('http://127.0.0.1:3000'),
      ratePerSecond: 10,
      users: 50,
      durationMs: undefined,
      mix: DEFAULT_MIX,
      concurrency: 64,
      sourceAddresses: 'auto',
      quiet: false,
      json: false,
    });
    expect(DEFAULT_MIX).toEqual({ quotes: 30, orders: 15, trades: 10, payments: 10, portfolio: 10, signals: 10, account: 15 });
  });

  it('takes the gateway from AI_FINANCE_GATEWAY_URL, and --gateway over it', () => {
    expect(parse([], { AI_FINANCE_GATEWAY_URL: 'http://127.0.0.1:4000' }).gatewayUrl.href).toBe('http://127.0.0.1:4000/');
    expect(parse(['--gateway', 'http://localhost:5000'], { AI_FINANCE_GATEWAY_URL: 'http://127.0.0.1:4000' }).gatewayUrl.href).toBe('http://localhost:5000/');
  });

  it('reads every option', () => {
    const options = parse(['--rate', '2.5', '--users', '7', '--duration', '1h30m', '--mix', 'quotes=1,payments=3', '--concurrency', '5', '--source-ips', 'off', '--quiet', '--json']);
    expect(options).toMatchObject({ ratePerSecond: 2.5, users: 7, durationMs: 5_400_000, concurrency: 5, sourceAddresses: 'off', quiet: true, json: true });
    expect(options.mix).toEqual({ quotes: 1, orders: 0, trades: 0, payments: 3, portfolio: 0, signals: 0, account: 0 });
  });

  it('answers help for -h and --help', () => {
    expect(parseTrafficArguments(['-h'], {})).toBe('help');
    expect(parseTrafficArguments(['--help'], {})).toBe('help');
  });

  it.each([
    [['--rate', '0'], '--rate must be a number of arrivals per second above 0'],
    [['--rate', 'fast'], '--rate must be a number of arrivals per second above 0 and at most 100000 (got "fast")'],
    [['--rate=-3'], '--rate must be a number of arrivals per second above 0 and at most 100000 (got "-3")'],
    [['--users', '0'], '--users must be a whole number of users from 1 to 100000 (got "0")'],
    [['--users', '2.5'], '--users must be a whole number'],
    [['--concurrency', 'lots'], '--concurrency must be a whole number of actions in flight'],
    [['--duration', '10'], '--duration must be a duration such as 30s, 5m, 1h or 1h30m (got "10")'],
    [['--duration', '0s'], '--duration must be a duration'],
    [['--gateway', 'ftp://127.0.0.1'], '--gateway must be an http(s) base URL'],
    [['--gateway', 'http://127.0.0.1:3000/api'], '--gateway must be an http(s) base URL'],
    [['--source-ips', 'maybe'], '--source-ips must be auto, on or off'],
    [['--mix', 'quotes=30,foo=5'], '--mix names an unknown action group "foo"; the groups are quotes, orders, trades, payments, portfolio, signals, account'],
    [['--verbose'], "Unknown option '--verbose'"],
    [['extra'], "Unexpected argument 'extra'"],
  ])('refuses %j: %s', (argv, message) => {
    expect(problemWith(() => parse(argv))).toContain(message);
  });
});

describe('--mix', () => {
  it('gives the named groups their weights and every other group 0', () => {
    expect(parseMix('quotes=30, orders=15.5')).toEqual({ quotes: 30, orders: 15.5, trades: 0, payments: 0, portfolio: 0, signals: 0, account: 0 });
  });

  it.each([
    ['', 'is empty'],
    ['quotes', 'has "quotes", which is not <group>=<weight>'],
    ['quotes=-1', 'has "quotes=-1", which is not <group>=<weight>'],
    ['quotes=ten', 'has "quotes=ten"'],
    ['quotes=1,quotes=2', 'names "quotes" twice'],
    ['quotes=0,orders=0', 'gives every group weight 0'],
    ['trading=5', 'unknown action group "trading"'],
  ])('refuses %j (%s)', (text, message) => {
    expect(() => parseMix(text)).toThrow(message);
  });
});

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2m30s', 150_000],
    ['1h0m5s', 3_605_000],
    ['1.5s', 1_500],
  ])('reads %s as %d ms', (text, durationMs) => {
    expect(parseDurationMs(text)).toBe(durationMs);
  });

  it.each(['', '10', 's', '5 m', '1m1h', '0s', '-5s', '1d'])('refuses %j', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });
});

describe('brute-force options', () => {
  it('defaults to 2 attempts a second from 127.66.0.1 against victim@example.test, until stopped', () => {
    expect(parseBruteForceArguments([], {})).toEqual({
      gatewayUrl: new URL('http://127.0.0.1:3000'),
      sourceAddress: '127.66.0.1',
      attemptsPerSecond: 2,
      durationMs: undefined,
      email: 'victim@example.test',
    });
  });

  it('reads every option, and connects to 127.0.0.1 for localhost (a 127.x source cannot reach ::1)', () => {
    expect(parseBruteForceArguments(['--gateway', 'http://localhost:3100', '--ip', '127.66.0.9', '--rate', '5', '--duration', '2m', '--email', 'ada@example.com'], {})).toEqual({
      gatewayUrl: new URL('http://127.0.0.1:3100'),
      sourceAddress: '127.66.0.9',
      attemptsPerSecond: 5,
      durationMs: 120_000,
      email: 'ada@example.com',
    });
  });

  it.each([
    [['--ip', '10.1.2.3'], '--ip 10.1.2.3 is not in 127.0.0.0/8: the gateway is on loopback (127.0.0.1), which only loopback addresses can reach'],
    [['--ip', 'attacker'], '--ip must be an IPv4 address'],
    [['--rate', '0'], '--rate must be a number of attempts per second above 0'],
    [['--duration', 'forever'], '--duration must be a duration'],
    [['--email', 'nobody'], '--email must be an e-mail address'],
    [['--gateway', 'http://[::1]:3000'], 'which an IPv4 --ip cannot reach'],
  ])('refuses %j: %s', (argv, message) => {
    expect(problemWith(() => parseBruteForceArguments(argv, {}))).toContain(message);
  });

  it('accepts any address for a gateway that is not on loopback (the connection will tell)', () => {
    expect(parseBruteForceArguments(['--gateway', 'http://gateway.internal:3000', '--ip', '10.1.2.3'], {})).toMatchObject({ sourceAddress: '10.1.2.3' });
  });
});
