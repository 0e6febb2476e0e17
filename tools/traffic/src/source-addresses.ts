import { isIPv4 } from 'node:net';
import { OptionsError } from './errors';

/*
 * The gateway limits requests and counts offenders per client address. Real users come from many
 * addresses, so each simulated user connects from its own: on Linux the whole of 127.0.0.0/8 is local
 * (the kernel's `local 127.0.0.0/8 dev lo` route), so any 127.x.y.z can be bound without configuration.
 * Users get 127.0.<1 + floor(i / 250)>.<1 + i % 250>: never 127.0.0.x (the platform's own 127.0.0.1)
 * and never 127.66.0.0/16, which belongs to the brute-force tool so that its attack stays apart.
 */

export const ADDRESSES_PER_SUBNET = 250;
/** Third octets 1 to 255 with 250 hosts each. */
export const MAX_SOURCE_ADDRESSES = 255 * ADDRESSES_PER_SUBNET;

export type SourceAddressMode = 'auto' | 'on' | 'off';

export function sourceAddressFor(userIndex: number): string {
  if (!Number.isInteger(userIndex) || userIndex < 0 || userIndex >= MAX_SOURCE_ADDRESSES) {
    throw new RangeError(`user index ${userIndex} is outside 0..${MAX_SOURCE_ADDRESSES - 1}`);
  }
  return `127.0.${1 + Math.floor(userIndex / ADDRESSES_PER_SUBNET)}.${1 + (userIndex % ADDRESSES_PER_SUBNET)}`;
}

/** Whether `hostname` (as in a URL, so IPv6 in brackets) is this machine's loopback. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || isInLoopbackRange(host);
}

/** Whether `address` is an IPv4 address in 127.0.0.0/8. */
export function isInLoopbackRange(address: string): boolean {
  return isIPv4(address) && address.startsWith('127.');
}

export interface SourceAddressPlan {
  enabled: boolean;
  /** Why the addresses are or are not used, for the start of the run. */
  reason: string;
  /** The URL to connect to: `localhost` becomes 127.0.0.1, because a 127.x source address cannot reach ::1. */
  gatewayUrl: URL;
  addressFor(userIndex: number): string | undefined;
}

/**
 * Decides whether users get their own source address. `auto` uses them when they can work (Linux, a
 * loopback IPv4 gateway); `on` insists and refuses a setting where they cannot; `off` never uses them.
 */
export function planSourceAddresses(mode: SourceAddressMode, gatewayUrl: URL, users: number, platform: NodeJS.Platform = process.platform): SourceAddressPlan {
  const none = (reason: string): SourceAddressPlan => ({ enabled: false, reason, gatewayUrl, addressFor: () => undefined });
  if (mode === 'off') return none('--source-ips off: every user connects from the same address, so the gateway\'s per-IP limits apply to all users together');

  const host = gatewayUrl.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const problem =
    platform !== 'linux'
      ? `only Linux routes all of 127.0.0.0/8 to the loopback interface (this is ${platform})`
      : !isLoopbackHost(host)
        ? `the gateway host ${host} is not a loopback address, and other local addresses cannot be invented`
        : host === '::1'
          ? 'the gateway is on the IPv6 loopback ::1, which has a single address'
          : users > MAX_SOURCE_ADDRESSES
            ? `${users} users need more than the ${MAX_SOURCE_ADDRESSES} addresses of the scheme`
            : undefined;
  if (problem !== undefined) {
    if (mode === 'on') throw new OptionsError(`--source-ips on cannot work: ${problem}`);
    return none(`one source address for all users: ${problem}, so the gateway's per-IP limits apply to all users together`);
  }

  const url = new URL(gatewayUrl);
  if (host === 'localhost') url.hostname = '127.0.0.1';
  const last = sourceAddressFor(users - 1);
  return {
    enabled: true,
    reason: `one source address per user: 127.0.1.1 to ${last}`,
    gatewayUrl: url,
    addressFor: sourceAddressFor,
  };
}
