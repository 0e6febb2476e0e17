/*
 * What simulated users do, named like api-gateway's route table names its features
 * (`feature_usage_total{feature}`), so a summary line and a gateway metric speak of the same thing.
 * Actions are drawn in two steps: a group by the mix's weights, then an action of the group by the
 * fixed shares below.
 */

export const ACTION_GROUPS = {
  quotes: { defaultWeight: 30, actions: { 'market.quotes': 50, 'market.quote': 50 } },
  orders: { defaultWeight: 15, actions: { 'trading.place_order': 100 } },
  trades: { defaultWeight: 10, actions: { 'trading.orders': 40, 'trading.trades': 40, 'trading.order': 20 } },
  payments: { defaultWeight: 10, actions: { 'payments.pay': 40, 'payments.history': 40, 'payments.read': 20 } },
  portfolio: { defaultWeight: 10, actions: { 'portfolio.overview': 60, 'portfolio.position': 40 } },
  signals: { defaultWeight: 10, actions: { 'signals.list': 60, 'signals.accuracy': 40 } },
  account: { defaultWeight: 15, actions: { 'risk.limits': 40, 'notifications.list': 30, 'users.profile': 30 } },
} as const;

export type ActionGroup = keyof typeof ACTION_GROUPS;
export const ACTION_GROUP_NAMES = Object.keys(ACTION_GROUPS) as ActionGroup[];

/** Requests a user makes to have a session at all; they follow from sign-in and token expiry, not from the mix. */
export const SESSION_ACTIONS = ['users.register', 'users.login', 'users.refresh'] as const;

type GroupActions<G extends ActionGroup> = keyof (typeof ACTION_GROUPS)[G]['actions'];
export type MixAction = { [G in ActionGroup]: GroupActions<G> }[ActionGroup];
export type ActionName = MixAction | (typeof SESSION_ACTIONS)[number];

/** Relative weight of each group; only the ratios matter. */
export type ActionMix = Record<ActionGroup, number>;

export const DEFAULT_MIX: ActionMix = Object.fromEntries(ACTION_GROUP_NAMES.map((group) => [group, ACTION_GROUPS[group].defaultWeight])) as ActionMix;

/** The group an action belongs to; `session` for sign-in and token refresh. */
export function groupOf(action: ActionName): ActionGroup | 'session' {
  for (const group of ACTION_GROUP_NAMES) if (action in ACTION_GROUPS[group].actions) return group;
  return 'session';
}

/** Every action, in the order of the groups (the order of the summary table). */
export const ALL_ACTIONS: readonly ActionName[] = [
  ...SESSION_ACTIONS,
  ...ACTION_GROUP_NAMES.flatMap((group) => Object.keys(ACTION_GROUPS[group].actions) as MixAction[]),
];

/** `quotes=30,orders=15`: the groups named get these weights, every other group 0. Throws with a message for a person. */
export function parseMix(text: string): ActionMix {
  const mix = Object.fromEntries(ACTION_GROUP_NAMES.map((group) => [group, 0])) as ActionMix;
  const seen = new Set<string>();
  const parts = text.split(',').map((part) => part.trim());
  if (parts.every((part) => part === '')) throw new Error('is empty; give weights such as quotes=30,orders=15');
  for (const part of parts) {
    const match = /^([a-z-]+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!match) throw new Error(`has "${part}", which is not <group>=<weight> with a number of 0 or more (e.g. quotes=30)`);
    const [, name, weight] = match as unknown as [string, string, string];
    if (!ACTION_GROUP_NAMES.includes(name as ActionGroup)) throw new Error(`names an unknown action group "${name}"; the groups are ${ACTION_GROUP_NAMES.join(', ')}`);
    if (seen.has(name)) throw new Error(`names "${name}" twice`);
    seen.add(name);
    mix[name as ActionGroup] = Number(weight);
  }
  if (ACTION_GROUP_NAMES.every((group) => mix[group] === 0)) throw new Error('gives every group weight 0; at least one must be above 0');
  return mix;
}

export function formatMix(mix: ActionMix): string {
  return ACTION_GROUP_NAMES.filter((group) => mix[group] > 0)
    .map((group) => `${group}=${mix[group]}`)
    .join(',');
}

/**
 * Picks a key of `weights` with probability proportional to its weight, for `random` in [0, 1): one
 * random() per draw. The keys of weight above 0 and their total are worked out once, here.
 */
export function weightedPicker<K extends string>(weights: Readonly<Record<K, number>>): (random: () => number) => K {
  const entries = (Object.entries(weights) as Array<[K, number]>).filter(([, weight]) => weight > 0);
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  return (random) => {
    let point = random() * total;
    for (const [key, weight] of entries) {
      if (point < weight) return key;
      point -= weight;
    }
    // Only reached through floating-point rounding at the very top of the range.
    return entries.at(-1)![0];
  };
}
