import { parse, stringify } from 'yaml';
import type { RuleGroup } from './slo-rules';

/*
 * Compressed time for alerting tests and demos: every window, `for` and Alertmanager timer divided by
 * one factor, so that what takes an hour in production takes six minutes. Thresholds are left alone,
 * and so are the `* <seconds>` factors that turn a rate into a count: a minimum of "1000 requests in
 * 5 minutes" becomes "the same rate over 30 seconds", which is what it meant.
 */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 } as const;
type Unit = keyof typeof UNIT_MS;
const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const PART = /(\d+)(ms|s|m|h|d|w|y)/g;

/** A Prometheus duration (`5m`, `1h30m`) in milliseconds. */
export function durationMs(text: string): number {
  if (!DURATION.test(text)) throw new Error(`"${text}" is not a Prometheus duration such as 5m or 1h30m`);
  return [...text.matchAll(PART)].reduce((total, [, amount, unit]) => total + Number(amount) * UNIT_MS[unit as Unit], 0);
}

/** Milliseconds as the shortest exact Prometheus duration: 30s, 6m, 144m, 1500ms. */
export function formatDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`cannot write ${ms} ms as a Prometheus duration`);
  for (const unit of ['y', 'w', 'd', 'h', 'm', 's'] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return `${ms}ms`;
}

export function checkTimeScale(factor: number): void {
  if (!Number.isInteger(factor) || factor < 1 || factor > 60) throw new Error(`the time scale must be a whole number from 1 to 60 (got ${factor})`);
}

/** `duration / factor`, rounded to the millisecond and never below one second. */
export function scaledDuration(text: string, factor: number): string {
  checkTimeScale(factor);
  if (factor === 1) return text;
  return formatDuration(Math.max(1_000, Math.round(durationMs(text) / factor)));
}

const RANGE = /\[(\w+)(?::(\w*))?\]/g;
const OFFSET = /\boffset\s+(-?)(\w+)/g;

const QUOTED = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/;

/** A PromQL expression with every range, subquery step and offset divided by `factor`; strings untouched. */
export function scaledExpression(expr: string, factor: number): string {
  return expr
    .split(QUOTED)
    .map((part, index) => (index % 2 === 1 ? part : scaledCode(part, factor)))
    .join('');
}

function scaledCode(code: string, factor: number): string {
  return code
    .replace(RANGE, (_, range: string, step: string | undefined) =>
      step === undefined ? `[${scaledDuration(range, factor)}]` : `[${scaledDuration(range, factor)}:${step === '' ? '' : scaledDuration(step, factor)}]`,
    )
    .replace(OFFSET, (_, sign: string, duration: string) => `offset ${sign}${scaledDuration(duration, factor)}`);
}

/** Rule groups with compressed time: expressions as above, and each alert's `for`. */
export function timeScaledRuleGroups(groups: RuleGroup[], factor: number): RuleGroup[] {
  checkTimeScale(factor);
  return groups.map((group) => ({
    ...group,
    rules: group.rules.map((rule) => ({
      ...rule,
      expr: scaledExpression(rule.expr, factor),
      ...('for' in rule && rule.for !== undefined ? { for: scaledDuration(rule.for, factor) } : {}),
    })),
  }));
}

const ROUTE_TIMERS = ['group_wait', 'group_interval', 'repeat_interval'] as const;

interface Route {
  routes?: Route[];
  [key: string]: unknown;
}

function scaleRoute(route: Route, factor: number): Route {
  const scaled: Route = { ...route };
  for (const timer of ROUTE_TIMERS) if (typeof route[timer] === 'string') scaled[timer] = scaledDuration(route[timer], factor);
  if (route.routes) scaled.routes = route.routes.map((child) => scaleRoute(child, factor));
  return scaled;
}

/**
 * A rendered Alertmanager configuration with compressed timers: group_wait, group_interval and
 * repeat_interval of every route, and resolve_timeout. Matchers, receivers and inhibitions are untouched.
 */
export function timeScaledAlertmanagerConfig(text: string, factor: number): string {
  checkTimeScale(factor);
  if (factor === 1) return text;
  const config = parse(text) as { global?: Record<string, unknown>; route: Route };
  if (typeof config.global?.resolve_timeout === 'string') config.global.resolve_timeout = scaledDuration(config.global.resolve_timeout, factor);
  config.route = scaleRoute(config.route, factor);
  return stringify(config, { lineWidth: 0 });
}
