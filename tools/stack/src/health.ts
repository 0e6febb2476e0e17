import { failureOf, getJson, PrometheusApi, request } from './http';

/** One thing `health` looked at. */
export interface Check {
  /** The component to blame when it fails: `payment`, `prometheus`, `rabbitmq`. */
  component: string;
  what: string;
  ok: boolean;
  detail?: string;
}

export const passed = (component: string, what: string, detail?: string): Check => ({ component, what, ok: true, detail });
export const failed = (component: string, what: string, detail: string): Check => ({ component, what, ok: false, detail });

/** GET `url` answers 2xx; a readiness answer's `down` list says which dependency is missing. */
export async function httpCheck(component: string, what: string, url: string): Promise<Check> {
  const answer = await request(url);
  if (answer.ok) return passed(component, what);
  let down = '';
  try {
    const body = JSON.parse(answer.body) as { down?: string[] };
    if (Array.isArray(body.down) && body.down.length > 0) down = `: ${body.down.join(', ')} down`;
  } catch {
    // not a readiness answer
  }
  return failed(component, what, `${failureOf(answer)}${down} (${url})`);
}

interface Target {
  scrapeUrl: string;
  health: string;
  lastError: string;
  labels: Record<string, string>;
}

interface RuleGroup {
  name: string;
  file: string;
  rules: Array<{ name: string; health: string; lastError?: string }>;
}

/**
 * Prometheus ready, every target up (a down target is blamed on the component `ownerOf` names), every
 * readiness probe succeeding (blamed on the probed service), and rules loaded with none failing.
 */
export async function prometheusChecks(url: string, ownerOf: (target: Target) => string): Promise<Check[]> {
  const ready = await httpCheck('prometheus', 'ready (/-/ready)', `${url}/-/ready`);
  return ready.ok ? [ready, ...(await prometheusApiChecks(url, ownerOf))] : [ready];
}

/** What a ready Prometheus says through its API: targets, blackbox probes, rules. */
export async function prometheusApiChecks(url: string, ownerOf: (target: Target) => string): Promise<Check[]> {
  const api = new PrometheusApi(url);
  const checks: Check[] = [];
  try {
    const targets = (await api.get<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets;
    const down = targets.filter((target) => target.health !== 'up');
    for (const target of down) {
      const why = target.health === 'unknown' ? 'not scraped yet' : `down: ${target.lastError}`;
      checks.push(failed(ownerOf(target), `Prometheus target ${target.labels.job} ${target.scrapeUrl}`, why));
    }
    if (targets.length === 0) checks.push(failed('prometheus', 'targets', 'no target configured'));
    else if (down.length === 0) checks.push(passed('prometheus', 'targets', `all ${targets.length} up`));
    for (const probe of await api.query('probe_success == 0')) {
      checks.push(failed(probe.metric.service ?? probe.metric.instance, `blackbox probe ${probe.metric.instance}`, 'the readiness probe fails'));
    }
    const groups = (await api.get<{ groups: RuleGroup[] }>('/api/v1/rules')).groups;
    const rules = groups.flatMap((group) => group.rules.map((rule) => ({ ...rule, group: group.name })));
    const broken = rules.filter((rule) => rule.health === 'err');
    if (rules.length === 0) checks.push(failed('prometheus', 'rules', 'no rule loaded'));
    for (const rule of broken) checks.push(failed('prometheus', `rule ${rule.group}/${rule.name}`, rule.lastError ?? 'evaluation failed'));
    if (rules.length > 0 && broken.length === 0) checks.push(passed('prometheus', 'rules', `${rules.length} loaded in ${groups.length} groups, none failing`));
  } catch (error) {
    checks.push(failed('prometheus', 'API', (error as Error).message));
  }
  return checks;
}

/** Alertmanager ready, and its configuration loaded: GET /api/v2/status shows a route and receivers. */
export async function alertmanagerChecks(url: string): Promise<Check[]> {
  const ready = await httpCheck('alertmanager', 'ready (/-/ready)', `${url}/-/ready`);
  return ready.ok ? [ready, await alertmanagerConfigCheck(url)] : [ready];
}

/** A ready Alertmanager's configuration: GET /api/v2/status shows a route and receivers. */
export async function alertmanagerConfigCheck(url: string): Promise<Check> {
  try {
    const status = await getJson<{ config?: { original?: string } }>(`${url}/api/v2/status`);
    const original = status.config?.original ?? '';
    const receivers = original.match(/^\s*- name: /gm)?.length ?? 0;
    if (!/^route:/m.test(original) || receivers === 0) return failed('alertmanager', 'configuration', 'no route or receivers loaded');
    return passed('alertmanager', 'configuration', `loaded, ${receivers} receivers`);
  } catch (error) {
    return failed('alertmanager', 'configuration', (error as Error).message);
  }
}

/** Prints one line per check and a closing line; true when every check passed. */
export function printChecks(checks: Check[], out: (line: string) => void): boolean {
  const width = Math.max(...checks.map((check) => check.component.length), 10);
  for (const check of checks) {
    out(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.component.padEnd(width)}  ${check.what}${check.detail ? `: ${check.detail}` : ''}`);
  }
  const failing = [...new Set(checks.filter((check) => !check.ok).map((check) => check.component))];
  if (failing.length === 0) out(`healthy: ${checks.length} checks passed`);
  else out(`unhealthy: ${failing.join(', ')}`);
  return failing.length === 0;
}
