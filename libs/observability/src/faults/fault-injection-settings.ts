import { z } from 'zod';
import { env, loadEnv } from '../config/load-env';

export interface FaultInjectionSettings {
  /** FAULT_INJECTION_ENABLED: false unless set to true; production leaves it unset. */
  enabled: boolean;
  /** FAULT_INJECTION_TOKEN, the bearer token of /admin/faults; only read when enabled. */
  token: string | undefined;
}

const MIN_FAULT_TOKEN_LENGTH = 32;

/** Injection token of the settings inside the module (the token itself never leaves it). */
export const FAULT_INJECTION_SETTINGS = Symbol('FAULT_INJECTION_SETTINGS');

/**
 * Read once at start-up. The token is only required when injection is on, so production, which leaves
 * FAULT_INJECTION_ENABLED unset, needs no secret it would never use.
 */
export function loadFaultInjectionSettings(source: NodeJS.ProcessEnv = process.env): FaultInjectionSettings {
  const { FAULT_INJECTION_ENABLED: enabled } = loadEnv({ FAULT_INJECTION_ENABLED: env.boolean(false) }, source);
  if (!enabled) return { enabled: false, token: undefined };
  const tokenRule = `must be at least ${MIN_FAULT_TOKEN_LENGTH} characters when FAULT_INJECTION_ENABLED is true`;
  const { FAULT_INJECTION_TOKEN: token } = loadEnv(
    { FAULT_INJECTION_TOKEN: z.string({ required_error: `required when FAULT_INJECTION_ENABLED is true (at least ${MIN_FAULT_TOKEN_LENGTH} characters)` }).min(MIN_FAULT_TOKEN_LENGTH, tokenRule) },
    source,
  );
  return { enabled: true, token };
}
