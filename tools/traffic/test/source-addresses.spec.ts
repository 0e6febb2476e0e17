import { OptionsError } from '../src/errors';
import { isLoopbackHost, MAX_SOURCE_ADDRESSES, planSourceAddresses, sourceAddressFor } from '../src/source-addresses';

describe('source addresses', () => {
  it('gives user i the address 127.0.<1 + floor(i / 250)>.<1 + i % 250>', () => {
    expect([0, 1, 249, 250, 251, 499, 500].map(sourceAddressFor)).toEqual(['127.0.1.1', '127.0.1.2', '127.0.1.250', '127.0.2.1', '127.0.2.2', '127.0.2.250', '127.0.3.1']);
    expect(sourceAddressFor(MAX_SOURCE_ADDRESSES - 1)).toBe('127.0.255.250');
  });

  it('gives every user a different address, none of them 127.0.0.x nor in the brute-force tool\'s 127.66.0.0/16', () => {
    const addresses = Array.from({ length: MAX_SOURCE_ADDRESSES }, (_, index) => sourceAddressFor(index));
    expect(new Set(addresses).size).toBe(MAX_SOURCE_ADDRESSES);
    expect(addresses.filter((address) => address.startsWith('127.0.0.') || address.startsWith('127.66.'))).toEqual([]);
    expect(addresses.filter((address) => !/^127\.0\.(\d+)\.(\d+)$/.test(address) || address.split('.').some((octet) => Number(octet) > 255))).toEqual([]);
  });

  it('has no address for an index outside the scheme', () => {
    expect(() => sourceAddressFor(MAX_SOURCE_ADDRESSES)).toThrow(RangeError);
    expect(() => sourceAddressFor(-1)).toThrow(RangeError);
  });

  it('knows loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.5.6.7', '[::1]', '::1'].map(isLoopbackHost)).toEqual([true, true, true, true, true]);
    expect(['10.0.0.1', 'gateway', '128.0.0.1', '[::2]'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
});

describe('whether users get their own address', () => {
  const local = new URL('http://127.0.0.1:3000');

  it('does so on Linux for a loopback gateway, by default', () => {
    const plan = planSourceAddresses('auto', local, 300, 'linux');
    expect(plan).toMatchObject({ enabled: true, reason: 'one source address per user: 127.0.1.1 to 127.0.2.50' });
    expect([plan.addressFor(0), plan.addressFor(299)]).toEqual(['127.0.1.1', '127.0.2.50']);
  });

  it('connects to 127.0.0.1 instead of localhost, which may resolve to ::1', () => {
    expect(planSourceAddresses('auto', new URL('http://localhost:3000'), 2, 'linux').gatewayUrl.href).toBe('http://127.0.0.1:3000/');
  });

  it.each([
    ['off', local, 'linux', '--source-ips off'],
    ['auto', local, 'darwin', 'only Linux routes all of 127.0.0.0/8 to the loopback interface (this is darwin)'],
    ['auto', new URL('http://gateway.internal:3000'), 'linux', 'the gateway host gateway.internal is not a loopback address'],
    ['auto', new URL('http://[::1]:3000'), 'linux', 'the IPv6 loopback ::1'],
  ] as const)('does not with mode %s, gateway %s on %s', (mode, url, platform, reason) => {
    const plan = planSourceAddresses(mode, url, 10, platform);
    expect(plan.enabled).toBe(false);
    expect(plan.reason).toContain(reason);
    expect(plan.addressFor(0)).toBeUndefined();
  });

  it('refuses --source-ips on where it cannot work, and more users than the scheme has addresses', () => {
    expect(() => planSourceAddresses('on', local, 10, 'darwin')).toThrow(new OptionsError('--source-ips on cannot work: only Linux routes all of 127.0.0.0/8 to the loopback interface (this is darwin)'));
    expect(() => planSourceAddresses('on', local, MAX_SOURCE_ADDRESSES + 1, 'linux')).toThrow(`${MAX_SOURCE_ADDRESSES + 1} users need more than the ${MAX_SOURCE_ADDRESSES} addresses`);
    expect(planSourceAddresses('auto', local, MAX_SOURCE_ADDRESSES + 1, 'linux').enabled).toBe(false);
  });
});
