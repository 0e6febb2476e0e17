import { loadEnv } from '@ai-finance/observability';
import { z } from 'zod';
import { wantedMonitors, type ManagedFields } from './monitor-spec';
import { UptimeKumaClient, type KumaMonitor } from './uptime-kuma-client';

/**
 * Makes Uptime Kuma hold exactly one HTTP monitor per service's /health/ready, named "<service> ready",
 * as monitoring/uptime-kuma/monitors.yml describes it, for the services of the `blackbox` job in
 * monitoring/prometheus/prometheus.yml. Safe to run again: a monitor with the wanted name is updated in
 * place (so its history stays), never added twice; monitors with other names are not touched.
 *
 *   UPTIME_KUMA_URL=http://localhost:3002 UPTIME_KUMA_USERNAME=admin UPTIME_KUMA_PASSWORD=... \
 *     node tools/uptime-kuma/dist/provision.js
 */

export const provisionEnv = {
  UPTIME_KUMA_URL: z.string().url().refine((url) => /^https?:\/\//.test(url), 'must be an http:// or https:// URL').default('http://localhost:3002'),
  UPTIME_KUMA_USERNAME: z.string({ required_error: 'required: the admin user to log in as (created on a fresh Uptime Kuma)' }).min(1),
  UPTIME_KUMA_PASSWORD: z.string({ required_error: 'required: the admin password (there is no default)' }).min(1),
  UPTIME_KUMA_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
};
export type ProvisionConfig = ReturnType<typeof loadProvisionConfig>;

export function loadProvisionConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadEnv(provisionEnv, env);
}

export interface ProvisionReport {
  adminCreated: boolean;
  created: string[];
  updated: Array<{ name: string; fields: string[] }>;
  unchanged: string[];
  duplicatesRemoved: string[];
}

/** The managed fields whose value differs on `existing` (compared as JSON, so arrays compare by value). */
function changedFields(existing: KumaMonitor, wanted: ManagedFields): string[] {
  return Object.entries(wanted)
    .filter(([field, value]) => JSON.stringify(existing[field] ?? null) !== JSON.stringify(value))
    .map(([field]) => field);
}

export async function provision(config: ProvisionConfig, wanted: ManagedFields[] = wantedMonitors()): Promise<ProvisionReport> {
  const report: ProvisionReport = { adminCreated: false, created: [], updated: [], unchanged: [], duplicatesRemoved: [] };
  const client = await UptimeKumaClient.connect(config.UPTIME_KUMA_URL, config.UPTIME_KUMA_TIMEOUT_MS);
  try {
    if (await client.needsSetup()) {
      await client.setup(config.UPTIME_KUMA_USERNAME, config.UPTIME_KUMA_PASSWORD);
      report.adminCreated = true;
    }
    await client.login(config.UPTIME_KUMA_USERNAME, config.UPTIME_KUMA_PASSWORD);
    const existing = (await client.monitors()).sort((a, b) => a.id - b.id);

    for (const monitor of wanted) {
      const [kept, ...duplicates] = existing.filter((candidate) => candidate.name === monitor.name);
      if (!kept) {
        // The rest as Uptime Kuma's own form sends a new monitor: no notifications yet, TLS checked.
        await client.add({ ...monitor, notificationIDList: {}, ignoreTls: false, expiryNotification: false });
        report.created.push(monitor.name);
        continue;
      }
      const fields = changedFields(kept, monitor);
      if (fields.length > 0) {
        await client.edit({ ...kept, ...monitor, id: kept.id });
        report.updated.push({ name: monitor.name, fields });
      } else {
        report.unchanged.push(monitor.name);
      }
      for (const duplicate of duplicates) {
        await client.remove(duplicate);
        report.duplicatesRemoved.push(`${duplicate.name} (id ${duplicate.id})`);
      }
    }
    return report;
  } finally {
    client.close();
  }
}

export function describeReport(url: string, report: ProvisionReport): string {
  const lines = [`Uptime Kuma at ${url}:`];
  if (report.adminCreated) lines.push('  created the admin user (first start)');
  for (const name of report.created) lines.push(`  created    ${name}`);
  for (const { name, fields } of report.updated) lines.push(`  updated    ${name} (${fields.join(', ')})`);
  for (const name of report.duplicatesRemoved) lines.push(`  removed    duplicate ${name}`);
  lines.push(
    `  ${report.created.length} created, ${report.updated.length} updated, ${report.unchanged.length} unchanged, ${report.duplicatesRemoved.length} duplicates removed`,
  );
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const config = loadProvisionConfig();
  const report = await provision(config);
  process.stdout.write(describeReport(config.UPTIME_KUMA_URL, report));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`uptime-kuma provisioning failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
