import { randomBytes } from 'node:crypto';
import { request } from 'undici';

const REQUEST_TIMEOUT_MS = 10_000;
/** Sign-ups in flight at once: each is two argon2id hashes at user-management, which are slow on purpose. */
const SIGN_UP_CONCURRENCY = 8;

export interface SignedInUser {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** One request to the platform with a JSON body (or none), its answer parsed as JSON when it is JSON. */
export async function sendJson(origin: string, method: 'GET' | 'POST' | 'DELETE', path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonAnswer> {
  const response = await request(new URL(path, origin), {
    method,
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const text = await response.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (e.g. an empty 204): the text is the answer.
  }
  return { status: response.statusCode, body };
}

/** Registers and logs in `count` new users through api-gateway, a few at a time; fails on the first refusal. */
export async function signUpUsers(gatewayUrl: string, count: number, label: string): Promise<SignedInUser[]> {
  const run = randomBytes(3).toString('hex');
  const users: SignedInUser[] = [];
  let next = 0;
  const signUpNext = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      users[index] = await signUp(gatewayUrl, `bench-${label}-${run}-${index}@example.test`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SIGN_UP_CONCURRENCY, count) }, signUpNext));
  return users;
}

async function signUp(gatewayUrl: string, email: string): Promise<SignedInUser> {
  const password = randomBytes(18).toString('base64url');
  const registered = await sendJson(gatewayUrl, 'POST', '/api/users/register', { body: { email, password } });
  if (registered.status !== 201) throw new Error(`registering ${email} answered ${registered.status}: ${JSON.stringify(registered.body)}`);
  const login = await sendJson(gatewayUrl, 'POST', '/api/users/login', { body: { email, password } });
  const { accessToken, userId } = (login.body ?? {}) as { accessToken?: unknown; userId?: unknown };
  if (login.status !== 200 || typeof accessToken !== 'string' || typeof userId !== 'string') {
    throw new Error(`logging in ${email} answered ${login.status}: ${JSON.stringify(login.body)}`);
  }
  return { userId, email, password, accessToken };
}

/** `after - before` for each key, leaving out keys that did not change. */
export function countsSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta !== 0) changed[key] = delta;
  }
  return changed;
}
