import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
export const PROMETHEUS_CONFIG_PATH = join(WORKSPACE_ROOT, 'monitoring/prometheus/prometheus.yml');
export const MONITOR_SETTINGS_PATH = join(WORKSPACE_ROOT, 'monitoring/uptime-kuma/monitors.yml');

/** The Prometheus job whose targets are the services' readiness URLs (probed by blackbox-exporter). */
export const READINESS_JOB = 'blackbox';

export interface ReadinessTarget {
  /** The `service` label Prometheus gives the probe, i.e. the compose service name. */
  service: string;
  url: string;
}

const relabelSchema = z.object({
  source_labels: z.array(z.string()).optional(),
  regex: z.string().optional(),
  target_label: z.string().optional(),
});
const prometheusSchema = z.object({
  scrape_configs: z.array(
    z.object({
      job_name: z.string(),
      static_configs: z.array(z.object({ targets: z.array(z.string()), labels: z.record(z.string()).default({}) })).default([]),
      relabel_configs: z.array(relabelSchema).default([]),
    }),
  ),
});

/**
 * The readiness URLs of the `blackbox` job of prometheus.yml, each with the `service` label Prometheus
 * gives its probe: the target group's own `service` label, or else what the job's relabelling from
 * __param_target derives. The list of services is written once, there.
 */
export function readinessTargets(prometheusYaml: string): ReadinessTarget[] {
  const config = prometheusSchema.parse(parse(prometheusYaml));
  const job = config.scrape_configs.find((candidate) => candidate.job_name === READINESS_JOB);
  if (!job) throw new Error(`prometheus.yml has no "${READINESS_JOB}" scrape job to take the services from`);
  const rule = job.relabel_configs.find((relabel) => relabel.target_label === 'service' && relabel.source_labels?.join() === '__param_target');
  // Prometheus anchors relabelling regexes at both ends; the default replacement is the first group.
  const serviceOf = (url: string) => (rule?.regex ? new RegExp(`^(?:${rule.regex})$`).exec(url)?.[1] : undefined);
  const targets = job.static_configs.flatMap((group) => group.targets.map((url) => ({ url, service: serviceOf(url) ?? group.labels.service })));
  if (targets.length === 0) throw new Error(`the "${READINESS_JOB}" job has no targets`);
  const seen = new Set<string>();
  return targets.map(({ url, service }) => {
    if (!service) throw new Error(`the "${READINESS_JOB}" job gives the target ${url} no "service" label`);
    if (seen.has(service)) throw new Error(`the "${READINESS_JOB}" job probes ${service} twice`);
    seen.add(service);
    return { service, url };
  });
}

const settingsSchema = z.object({
  http_monitor: z
    .object({
      method: z.enum(['GET', 'HEAD']),
      interval_seconds: z.number().int().min(20),
      retry_interval_seconds: z.number().int().min(20),
      max_retries: z.number().int().min(0),
      timeout_seconds: z.number().positive(),
      accepted_status_codes: z.array(z.string().regex(/^\d{3}(-\d{3})?$/)).min(1),
      max_redirects: z.number().int().min(0),
    })
    .strict()
    .refine((monitor) => monitor.timeout_seconds < monitor.interval_seconds, { message: 'timeout_seconds must be below interval_seconds' }),
});
export type HttpMonitorSettings = z.infer<typeof settingsSchema>['http_monitor'];

export function monitorSettings(yamlText: string): HttpMonitorSettings {
  return settingsSchema.parse(parse(yamlText)).http_monitor;
}

/** The fields of an Uptime Kuma monitor this tool owns; anything else on an existing monitor is kept. */
export type ManagedFields = ReturnType<typeof managedFields>;

/** One monitor, as Uptime Kuma's socket API names its fields (v1.23 `add` / `editMonitor`). */
export function managedFields(target: ReadinessTarget, settings: HttpMonitorSettings) {
  return {
    type: 'http',
    name: `${target.service} ready`,
    description: `Readiness of ${target.service}. Provisioned by tools/uptime-kuma from monitoring/prometheus/prometheus.yml; edits here are overwritten.`,
    url: target.url,
    method: settings.method,
    interval: settings.interval_seconds,
    retryInterval: settings.retry_interval_seconds,
    maxretries: settings.max_retries,
    timeout: settings.timeout_seconds,
    accepted_statuscodes: settings.accepted_status_codes,
    maxredirects: settings.max_redirects,
    upsideDown: false,
  };
}

/** The monitors the repository wants, read from the two files. */
export function wantedMonitors(): ManagedFields[] {
  const settings = monitorSettings(readFileSync(MONITOR_SETTINGS_PATH, 'utf8'));
  return readinessTargets(readFileSync(PROMETHEUS_CONFIG_PATH, 'utf8')).map((target) => managedFields(target, settings));
}
