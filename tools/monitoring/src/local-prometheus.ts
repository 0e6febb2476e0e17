import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { WORKSPACE_ROOT } from './paths';

const MONITORING_DIR = join(WORKSPACE_ROOT, 'monitoring', 'prometheus');
export const PROMETHEUS_CONFIG_PATH = join(MONITORING_DIR, 'prometheus.yml');

interface StaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}

interface RelabelConfig {
  target_label?: string;
  replacement?: string;
  [key: string]: unknown;
}

interface ScrapeConfig {
  job_name: string;
  static_configs?: StaticConfig[];
  relabel_configs?: RelabelConfig[];
  [key: string]: unknown;
}

interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  alerting?: { alertmanagers: Array<{ static_configs: StaticConfig[] }> };
  scrape_configs: ScrapeConfig[];
}

export interface LocalPrometheusOptions {
  /**
   * Where each compose address (`payment:3020`, `blackbox-exporter:9115`, `localhost:9090`) is reached
   * here. A target without an entry is left out, and so is a job left without targets: a local run
   * scrapes what runs, and every component that is not running would only be a target that is down.
   */
  addresses: Record<string, string>;
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** A rule file of prometheus.yml (as written there, e.g. `rules/slo.yml`) read from another path instead. */
  ruleFileOverrides?: Record<string, string>;
}

/** `payment:3020` for `payment:3020` and for `http://payment:3020/health/ready`. */
function addressOf(target: string): string {
  const url = /^https?:\/\/([^/]+)/.exec(target);
  return url ? url[1] : target;
}

function localTarget(target: string, addresses: Record<string, string>): string | undefined {
  const local = addresses[addressOf(target)];
  return local === undefined ? undefined : target.replace(addressOf(target), local);
}

function localStaticConfigs(configs: StaticConfig[], addresses: Record<string, string>): StaticConfig[] {
  return configs
    .map((config) => ({ ...config, targets: config.targets.flatMap((target) => localTarget(target, addresses) ?? []) }))
    .filter((config) => config.targets.length > 0);
}

/** A job scraped through another address (blackbox's `__address__` replacement) needs that one too. */
function localJob(job: ScrapeConfig, addresses: Record<string, string>): ScrapeConfig | undefined {
  const through = job.relabel_configs?.find((rule) => rule.target_label === '__address__' && typeof rule.replacement === 'string');
  const throughLocal = through ? addresses[through.replacement as string] : undefined;
  if (through && throughLocal === undefined) return undefined;
  const static_configs = localStaticConfigs(job.static_configs ?? [], addresses);
  if (static_configs.length === 0) return undefined;
  const relabel_configs = job.relabel_configs?.map((rule) => (rule === through ? { ...rule, replacement: throughLocal } : rule));
  return { ...job, static_configs, ...(relabel_configs ? { relabel_configs } : {}) };
}

/** `rules/*.yml` as the files it matches, so that one of them can be swapped for another path. */
function expandGlob(pattern: string, sourceDir: string): string[] {
  const match = /^(.*\/)?\*(\.[\w.]+)$/.exec(pattern);
  if (!match) return [pattern];
  const [, folder = '', extension] = match;
  return readdirSync(join(sourceDir, folder))
    .filter((name) => name.endsWith(extension))
    .sort()
    .map((name) => `${folder}${name}`);
}

/** Absolute rule file paths; with overrides, globs are expanded and the overridden files replaced. */
function ruleFiles(files: string[], sourceDir: string, overrides?: Record<string, string>): string[] {
  if (!overrides) return files.map((file) => join(sourceDir, file));
  const expanded = files.flatMap((file) => expandGlob(file, sourceDir));
  const unknown = Object.keys(overrides).filter((file) => !expanded.includes(file));
  if (unknown.length > 0) throw new Error(`no rule file ${unknown.join(', ')} in prometheus.yml (it has ${expanded.join(', ')})`);
  return expanded.map((file) => overrides[file] ?? join(sourceDir, file));
}

/**
 * The repository's prometheus.yml for a run without Docker: the same jobs, labels and rule files (read
 * in place from monitoring/prometheus/rules, never copied), with compose addresses replaced by local
 * ones. Written anywhere, since rule files become absolute paths.
 */
export function localPrometheusConfig(options: LocalPrometheusOptions, sourcePath: string = PROMETHEUS_CONFIG_PATH): string {
  const source = parse(readFileSync(sourcePath, 'utf8')) as PrometheusConfig;
  const sourceDir = join(sourcePath, '..');
  const alertmanagers = (source.alerting?.alertmanagers ?? [])
    .map((manager) => ({ ...manager, static_configs: localStaticConfigs(manager.static_configs, options.addresses) }))
    .filter((manager) => manager.static_configs.length > 0);
  const config: PrometheusConfig = {
    global: {
      ...source.global,
      ...(options.scrapeInterval ? { scrape_interval: options.scrapeInterval } : {}),
      ...(options.evaluationInterval ? { evaluation_interval: options.evaluationInterval } : {}),
    },
    rule_files: ruleFiles(source.rule_files ?? [], sourceDir, options.ruleFileOverrides),
    ...(alertmanagers.length > 0 ? { alerting: { alertmanagers } } : {}),
    scrape_configs: source.scrape_configs.flatMap((job) => localJob(job, options.addresses) ?? []),
  };
  return `# Made from ${sourcePath} by tools/monitoring/src/local-prometheus.ts for a local run.\n${stringify(config, { lineWidth: 0 })}`;
}

/** Each service's compose address, from the `services` job of prometheus.yml: `{ payment: 'payment:3020' }`. */
export function serviceAddresses(sourcePath: string = PROMETHEUS_CONFIG_PATH): Record<string, string> {
  const source = parse(readFileSync(sourcePath, 'utf8')) as PrometheusConfig;
  const job = source.scrape_configs.find((candidate) => candidate.job_name === 'services');
  if (!job) throw new Error(`${sourcePath} has no "services" job`);
  return Object.fromEntries((job.static_configs ?? []).flatMap((config) => config.targets.map((target) => [config.labels?.service ?? target, target])));
}
