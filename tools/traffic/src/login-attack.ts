import { randomBytes } from 'node:crypto';
import { request, type Agent } from 'undici';
import type { BruteForceOptions } from './brute-force-options';
import { StartError } from './errors';
import { connectionsFrom, describeNetworkError } from './gateway-client';
import { checkGatewayReady } from './gateway-health';

export interface BruteForceTally {
  attempts: number;
  /** 401: a failed login, what the gateway counts per address for LoginBruteForce. */
  unauthorized: number;
  /** 429: the gateway's credential limit per address (30 a minute by default). */
  rateLimited: number;
  /** Any other status (423 once a real account is locked), by status; with networkErrors, the attempts answered neither 401 nor 429. */
  otherStatuses: Record<string, number>;
  networkErrors: number;
  /** Attempts not sent because MAX_IN_FLIGHT were still unanswered (a hung gateway). */
  skipped: number;
  elapsedMs: number;
}

export interface BruteForceHooks {
  signal?: AbortSignal;
  /** Called every `reportEveryMs` with the tally so far. */
  onReport?: (tally: BruteForceTally) => void;
  reportEveryMs?: number;
}

const MAX_IN_FLIGHT = 64;

/**
 * A password-guessing run against one account from one address: wrong passwords to
 * `POST /api/users/login` at a steady pace until the duration or the signal. 401 and 429 are the
 * answers an attacker gets; both are what the run is for, not errors of the tool.
 */
export async function runBruteForce(options: BruteForceOptions, hooks: BruteForceHooks = {}): Promise<BruteForceTally> {
  await checkGatewayReady(options.gatewayUrl);
  const agent = connectionsFrom(options.sourceAddress, 8);
  const loginUrl = new URL('/api/users/login', options.gatewayUrl);
  const startedAtMs = performance.now();
  const tally: BruteForceTally = { attempts: 0, unauthorized: 0, rateLimited: 0, otherStatuses: {}, networkErrors: 0, skipped: 0, elapsedMs: 0 };
  const snapshot = (): BruteForceTally => ({ ...tally, otherStatuses: { ...tally.otherStatuses }, elapsedMs: performance.now() - startedAtMs });
  try {
    // The first attempt alone: if this address cannot be used (not local to this host), say so and stop.
    const first = await attempt(options, loginUrl, agent, tally);
    if (first !== undefined) throw new StartError(`cannot send from ${options.sourceAddress} to ${options.gatewayUrl.origin}: ${first}`);

    const inFlight = new Set<Promise<unknown>>();
    const intervalMs = 1000 / options.attemptsPerSecond;
    await new Promise<void>((resolve) => {
      let sent = 1;
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(timer);
        clearInterval(reporter);
        clearTimeout(deadline);
        hooks.signal?.removeEventListener('abort', finish);
        resolve();
      };
      const tick = () => {
        // Every attempt due by now, paced from the start so that timer drift does not lower the rate.
        while (startedAtMs + sent * intervalMs <= performance.now()) {
          sent += 1;
          if (inFlight.size >= MAX_IN_FLIGHT) {
            tally.skipped += 1;
            continue;
          }
          const pending: Promise<unknown> = attempt(options, loginUrl, agent, tally).finally(() => inFlight.delete(pending));
          inFlight.add(pending);
        }
        timer = setTimeout(tick, Math.max(0, startedAtMs + sent * intervalMs - performance.now()));
      };
      const reporter = setInterval(() => hooks.onReport?.(snapshot()), hooks.reportEveryMs ?? 10_000);
      const deadline = options.durationMs === undefined ? undefined : setTimeout(finish, Math.max(0, options.durationMs - (performance.now() - startedAtMs)));
      hooks.signal?.addEventListener('abort', finish, { once: true });
      if (hooks.signal?.aborted) finish();
      else tick();
    });
    await Promise.all([...inFlight]);
    return snapshot();
  } finally {
    await agent.close();
  }
}

/** One wrong password; undefined when the gateway answered, else why not. */
async function attempt(options: BruteForceOptions, loginUrl: URL, agent: Agent, tally: BruteForceTally): Promise<string | undefined> {
  tally.attempts += 1;
  try {
    const response = await request(loginUrl, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', 'user-agent': 'ai-finance-brute-force/0.1' },
      body: JSON.stringify({ email: options.email, password: `guess-${randomBytes(6).toString('hex')}` }),
    });
    await response.body.dump();
    if (response.statusCode === 401) tally.unauthorized += 1;
    else if (response.statusCode === 429) tally.rateLimited += 1;
    else tally.otherStatuses[response.statusCode] = (tally.otherStatuses[response.statusCode] ?? 0) + 1;
    return undefined;
  } catch (error) {
    tally.networkErrors += 1;
    return describeNetworkError(error);
  }
}
