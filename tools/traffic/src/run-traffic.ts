import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent } from 'undici';
import { ACTION_GROUP_NAMES, weightedPicker, type ActionGroup } from './action-mix';
import { PoissonArrivals } from './arrivals';
import { StartError } from './errors';
import { connectionsFrom, GatewayClient } from './gateway-client';
import { checkGatewayReady } from './gateway-health';
import type { TrafficOptions } from './options';
import { QuoteBoard } from './quote-board';
import { RequestStats } from './request-stats';
import { rateLimitNotices } from './rate-limit-notices';
import { identityFor, SIGN_IN_STOPPED, SimulatedUser } from './simulated-user';
import { planSourceAddresses, type SourceAddressPlan } from './source-addresses';
import { addOutcomes, countOutcomes, percentilesOf, summarizeRequests, type LatencyPercentiles, type OutcomeCounts, type TrafficSummary } from './summary';
import { performGroupAction } from './user-actions';

export interface TrafficHooks {
  /** Aborting it ends the run: arrivals stop, requests in flight finish, the summary is returned. */
  signal?: AbortSignal;
  onProgress?: (progress: TrafficProgress) => void;
  /** Things a person running it should know: the address scheme, limits the settings will hit, users that could not sign in. */
  onNotice?: (message: string) => void;
  progressIntervalMs?: number;
  /** Source of randomness in [0, 1), for reproducible runs. */
  random?: () => number;
}

export interface TrafficProgress extends OutcomeCounts {
  elapsedMs: number;
  /** Requests answered per second over the last 10 s. */
  ratePerSecond: number;
  /** Latency over the last 10 s; null when nothing was answered in it. */
  recentLatency: LatencyPercentiles | null;
  usersSignedIn: number;
  users: number;
  inFlight: number;
  droppedArrivals: number;
}

/** Users signing in at the same time at most: each sign-up and login is an argon2id hash at user-management. */
const SIGN_IN_CONCURRENCY = 8;
/** Sign-ins are spread over users × this, at most RAMP_MAX_MS. */
const RAMP_PER_USER_MS = 100;
const RAMP_MAX_MS = 10_000;
/** Keep-alive connections per user; a browser opens about this many per host. */
const CONNECTIONS_PER_USER = 6;

/**
 * Realistic load through api-gateway: checks the gateway is ready, signs the users in over a short
 * ramp, then sends an open-loop stream of their actions until `options.durationMs` or `hooks.signal`,
 * and returns what happened. Throws StartError when the gateway is not there or no user could sign in.
 */
export async function runTraffic(options: TrafficOptions, hooks: TrafficHooks = {}): Promise<TrafficSummary> {
  const plan = planSourceAddresses(options.sourceAddresses, options.gatewayUrl, options.users);
  await checkGatewayReady(plan.gatewayUrl);
  return new TrafficRun(options, plan, hooks).run();
}

class TrafficRun {
  private readonly runId = `sim-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  private readonly random: () => number;
  private readonly pickGroup: (random: () => number) => ActionGroup;
  private readonly stopping = new AbortController();
  private stoppedBy: TrafficSummary['stoppedBy'] = 'signal';
  private readonly startedAtMs = performance.now();
  private readonly stats = new RequestStats(() => performance.now(), this.startedAtMs);
  private readonly quotes = new QuoteBoard();
  private readonly agents: Agent[] = [];
  private readonly users: SimulatedUser[] = [];
  private readonly active: SimulatedUser[] = [];
  private readonly signInFailures: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private arrivals = 0;
  private dropped = 0;
  private readonly startedByGroup = Object.fromEntries(ACTION_GROUP_NAMES.map((group) => [group, 0])) as Record<ActionGroup, number>;

  constructor(
    private readonly options: TrafficOptions,
    private readonly plan: SourceAddressPlan,
    private readonly hooks: TrafficHooks,
  ) {
    this.random = hooks.random ?? Math.random;
    this.pickGroup = weightedPicker(options.mix);
  }

  async run(): Promise<TrafficSummary> {
    const startedAt = new Date();
    const notice = this.hooks.onNotice ?? (() => undefined);
    notice(this.plan.reason);
    for (const message of rateLimitNotices(this.options, this.plan.enabled)) notice(message);

    const shared = this.plan.enabled ? undefined : connectionsFrom(undefined, this.options.concurrency + SIGN_IN_CONCURRENCY);
    if (shared) this.agents.push(shared);
    for (let index = 0; index < this.options.users; index += 1) {
      const address = this.plan.addressFor(index);
      const agent = shared ?? connectionsFrom(address, CONNECTIONS_PER_USER);
      if (!shared) this.agents.push(agent);
      const client = new GatewayClient(this.plan.gatewayUrl, agent, this.stats);
      this.users.push(new SimulatedUser(index, identityFor(this.runId, index), address, client, this.random, this.runId, this.stopping.signal));
    }

    const stopped = new Promise<void>((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
    const onExternalStop = () => this.stopping.abort();
    this.hooks.signal?.addEventListener('abort', onExternalStop, { once: true });
    if (this.hooks.signal?.aborted) this.stopping.abort();
    const durationTimer =
      this.options.durationMs === undefined
        ? undefined
        : setTimeout(() => {
            this.stoppedBy = 'duration';
            this.stopping.abort();
          }, this.options.durationMs);
    const progressTimer = setInterval(() => this.hooks.onProgress?.(this.progress()), this.hooks.progressIntervalMs ?? 1_000);

    const arrivals = new PoissonArrivals(this.options.ratePerSecond, () => this.arrive(), this.random);
    arrivals.start();
    const ramp = this.rampUp().then(() => {
      if (this.signInFailures.length === this.users.length) this.stopping.abort();
    });

    await stopped;
    arrivals.stop();
    clearTimeout(durationTimer);
    this.hooks.signal?.removeEventListener('abort', onExternalStop);
    await ramp;
    await Promise.all([...this.inFlight]);
    clearInterval(progressTimer);
    await Promise.all(this.agents.map((agent) => agent.close()));
    this.hooks.onProgress?.(this.progress());

    if (this.signInFailures.length > 0) {
      notice(`${this.signInFailures.length} of ${this.users.length} users could not sign in; the first because ${this.signInFailures[0]}`);
    }
    if (this.signInFailures.length === this.users.length) {
      throw new StartError(`none of the ${this.users.length} simulated users could sign in; the first because ${this.signInFailures[0]}`);
    }
    return this.summary(startedAt);
  }

  /** Sign-ins spread evenly over the ramp, at most SIGN_IN_CONCURRENCY at a time. */
  private async rampUp(): Promise<void> {
    const spacingMs = Math.min(RAMP_MAX_MS, this.users.length * RAMP_PER_USER_MS) / this.users.length;
    let next = 0;
    const signInNext = async (): Promise<void> => {
      while (!this.stopping.signal.aborted && next < this.users.length) {
        const index = next++;
        const waitMs = this.startedAtMs + index * spacingMs - performance.now();
        if (waitMs > 0) await sleep(waitMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        if (this.stopping.signal.aborted) return;
        const user = this.users[index]!;
        const failure = await user.signIn();
        if (failure === undefined) this.active.push(user);
        else if (failure !== SIGN_IN_STOPPED) this.signInFailures.push(failure);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SIGN_IN_CONCURRENCY, this.users.length) }, signInNext));
  }

  private arrive(): void {
    if (this.stopping.signal.aborted) return;
    // Thinning: while users are still signing in, only those signed in so far generate arrivals, so
    // the load ramps up with them instead of landing on the first few.
    if (this.random() * this.users.length >= this.active.length) return;
    this.arrivals += 1;
    if (this.inFlight.size >= this.options.concurrency) {
      this.dropped += 1;
      return;
    }
    const group = this.pickGroup(this.random);
    this.startedByGroup[group] += 1;
    const user = this.active[Math.floor(this.random() * this.active.length)]!;
    const action: Promise<void> = performGroupAction(group, { user, quotes: this.quotes, random: this.random })
      .then(() => undefined, () => undefined)
      .finally(() => this.inFlight.delete(action));
    this.inFlight.add(action);
  }

  private progress(): TrafficProgress {
    let counts = countOutcomes(new Map(), 0);
    for (const tally of this.stats.byAction.values()) counts = addOutcomes(counts, countOutcomes(tally.statuses, tally.networkErrors));
    const recent = this.stats.recentWindow();
    return {
      ...counts,
      elapsedMs: performance.now() - this.startedAtMs,
      ratePerSecond: (recent.requests * 1000) / recent.spanMs,
      recentLatency: percentilesOf(recent.latency),
      usersSignedIn: this.active.length,
      users: this.users.length,
      inFlight: this.inFlight.size,
      droppedArrivals: this.dropped,
    };
  }

  private summary(startedAt: Date): TrafficSummary {
    const durationMs = performance.now() - this.startedAtMs;
    const { actions, total } = summarizeRequests(this.stats);
    const addresses = this.users.map((user) => user.sourceAddress).filter((address): address is string => address !== undefined);
    return {
      runId: this.runId,
      gatewayUrl: this.plan.gatewayUrl.origin,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(durationMs),
      stoppedBy: this.stoppedBy,
      settings: {
        ratePerSecond: this.options.ratePerSecond,
        users: this.options.users,
        concurrency: this.options.concurrency,
        durationMs: this.options.durationMs ?? null,
        mix: this.options.mix,
        sourceAddresses: this.options.sourceAddresses,
      },
      sourceAddresses: { enabled: this.plan.enabled, count: addresses.length, first: addresses[0] ?? null, last: addresses.at(-1) ?? null, note: this.plan.reason },
      users: { planned: this.users.length, signedIn: this.active.length, failed: this.signInFailures.length },
      arrivals: { total: this.arrivals, started: this.arrivals - this.dropped, dropped: this.dropped, byGroup: { ...this.startedByGroup } },
      actions,
      total,
      networkErrorSamples: [...this.stats.networkErrorSamples],
      achievedRatePerSecond: Math.round((total.requests / (durationMs / 1000)) * 100) / 100,
    };
  }
}
