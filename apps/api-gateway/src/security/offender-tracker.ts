/** Security events the gateway attributes to a client address. */
export type OffenceType = 'auth_failure' | 'rate_limited' | 'invalid_token';

export interface Offender {
  ipAddress: string;
  events: number;
}

export interface OffenderTrackerOptions {
  /** How far back an address's events count. */
  windowMs: number;
  /** The window is kept as this many slices, so that old events leave it a slice at a time. */
  slices: number;
  /** Addresses remembered at most, per type; the one quiet for longest is forgotten first. */
  maxAddresses: number;
  now?: () => number;
}

interface AddressCounts {
  /** Events per slice, by slice number (time / slice length). */
  bySlice: Map<number, number>;
}

/**
 * Which client addresses cause security events, over a sliding window, in bounded memory. The metric
 * it feeds names only the few worst addresses at a time, so that an alert can say who is attacking
 * without a label value per visitor.
 */
export class OffenderTracker {
  private readonly sliceMs: number;
  private readonly now: () => number;
  private readonly byType = new Map<OffenceType, Map<string, AddressCounts>>();

  constructor(private readonly options: OffenderTrackerOptions) {
    this.sliceMs = Math.max(1, Math.floor(options.windowMs / options.slices));
    this.now = options.now ?? Date.now;
  }

  record(type: OffenceType, ipAddress: string): void {
    const addresses = this.byType.get(type) ?? new Map<string, AddressCounts>();
    this.byType.set(type, addresses);
    const counts = addresses.get(ipAddress) ?? { bySlice: new Map<number, number>() };
    // Re-inserting keeps the Map in order of last activity, oldest first: the eviction order.
    addresses.delete(ipAddress);
    addresses.set(ipAddress, counts);
    const slice = Math.floor(this.now() / this.sliceMs);
    if (!counts.bySlice.has(slice)) this.forgetExpired(counts, slice);
    counts.bySlice.set(slice, (counts.bySlice.get(slice) ?? 0) + 1);
    if (addresses.size > this.options.maxAddresses) addresses.delete(addresses.keys().next().value as string);
  }

  /** The `limit` addresses with most events of `type` in the window, most first; forgets expired ones. */
  top(type: OffenceType, limit: number): Offender[] {
    const addresses = this.byType.get(type);
    if (!addresses) return [];
    const currentSlice = Math.floor(this.now() / this.sliceMs);
    const offenders: Offender[] = [];
    for (const [ipAddress, counts] of addresses) {
      this.forgetExpired(counts, currentSlice);
      let events = 0;
      for (const count of counts.bySlice.values()) events += count;
      if (events === 0) addresses.delete(ipAddress);
      else offenders.push({ ipAddress, events });
    }
    return offenders.sort((a, b) => b.events - a.events || a.ipAddress.localeCompare(b.ipAddress)).slice(0, limit);
  }

  private forgetExpired(counts: AddressCounts, currentSlice: number): void {
    for (const slice of counts.bySlice.keys()) if (slice <= currentSlice - this.options.slices) counts.bySlice.delete(slice);
  }
}
