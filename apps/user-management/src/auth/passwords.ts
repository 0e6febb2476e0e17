import * as argon2 from 'argon2';

/** argon2id at the OWASP minimum (19 MiB, 2 passes, 1 lane): safe, and cheap enough for logins under load. */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * A hash of a random password nobody knows, with the same parameters: verifying against it for an
 * unknown email costs what a real check costs, so the response time does not tell which emails exist.
 */
const DUMMY_HASH = '$argon2id$v=19$m=19456,p=1,t=2$0pjBJw07WdIjDsPe7yrWyg$68jEu5lgDWP4+EvzIq3WBRMXJ9FLe7XHKC1IXRjVTsQ';

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

/** True when `password` matches `hash`; a missing hash (unknown account) is checked against the dummy and is always false. */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  try {
    const matches = await argon2.verify(hash ?? DUMMY_HASH, password);
    return hash !== undefined && matches;
  } catch {
    return false;
  }
}
