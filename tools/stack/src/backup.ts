import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { WORKSPACE_ROOT } from './layout';
import { ENV_FILE } from './env-file';
import { getJson, request } from './http';
import type { StackMode, StateDir } from './state';

/*
 * `backup` writes one timestamped tar.gz: the configuration (monitoring/ and .env), a Prometheus TSDB
 * snapshot (admin API), Alertmanager's silences, Grafana's data where Grafana runs, and a dump of the
 * platform database. `restore` checks an archive completely before it changes anything, then brings
 * back the silences, the database and the TSDB. What differs between local mode and compose (where the
 * snapshot lies, how pg_dump and psql are reached, how Prometheus is stopped) is a BackupTarget.
 */

export const ARCHIVE_FORMAT = 1;

export interface Manifest {
  format: number;
  createdAt: string;
  mode: StackMode;
  /** What each part holds, or why it is not there. */
  parts: {
    config: string;
    prometheus: string;
    silences: string;
    grafana: string;
    database: string;
  };
}

/** What a mode provides to back up and restore. */
export interface BackupTarget {
  mode: StackMode;
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** Moves or copies the snapshot `name` (made through the admin API) to `into`, and removes it from Prometheus's data. */
  takeSnapshot(name: string, into: string): Promise<void>;
  /** Writes a plain SQL dump of the platform database to `file`; returns the database's name. */
  dumpDatabase(file: string): Promise<string>;
  /** Saves Grafana's data under `into`; returns a note of what was saved, or why nothing was. */
  saveGrafana(into: string): Promise<string>;
  /** Whatever must be answering before a restore may begin, as messages of what is not. */
  restorePreconditions(): Promise<string[]>;
  /** Replaces the database with the dump, the TSDB with the snapshot folder and Grafana's data; restarts what it stopped. */
  restoreData(parts: RestoreParts, out: (line: string) => void): Promise<void>;
}

/** What an unpacked archive holds for restoreData: always a dump and a snapshot, Grafana's data under compose. */
export interface RestoreParts {
  databaseDump: string;
  snapshotDir: string;
  grafanaDir?: string;
}

/** Runs a program to its end; a failure is an error with its command and the end of what it printed. Returns stdout. */
export function runBuffer(command: string, args: string[], input?: string | Buffer): Buffer {
  const result = spawnSync(command, args, { input, maxBuffer: 1024 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const said = `${result.stderr.toString('utf8')}${result.stdout.toString('utf8')}`.trim().slice(-800);
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${said}`);
  }
  return result.stdout;
}

export const run = (command: string, args: string[], input?: string | Buffer): string => runBuffer(command, args, input).toString('utf8');

const timestamp = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

interface Silence {
  id?: string;
  status?: { state: string };
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual?: boolean }>;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** Writes the archive; returns its path. */
export async function backup(target: BackupTarget, state: StateDir, out: (line: string) => void): Promise<string> {
  for (const [name, url] of [['Prometheus', target.prometheusUrl], ['Alertmanager', target.alertmanagerUrl]]) {
    const ready = await request(`${url}/-/ready`);
    if (!ready.ok) throw new Error(`backup needs the running stack: ${name} at ${url} does not answer (${ready.error ?? `HTTP ${ready.status}`}); ./start-monitoring.sh start`);
  }
  const createdAt = new Date();
  const outDir = resolve(process.env.BACKUP_DIR ?? state.path('backups'));
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  let archive = join(outDir, `ai-finance-backup-${timestamp(createdAt)}.tar.gz`);
  for (let n = 2; existsSync(archive); n++) archive = join(outDir, `ai-finance-backup-${timestamp(createdAt)}-${n}.tar.gz`);
  const scratch = state.scratch('backup');
  try {
    const dir = scratch.dir;
    const parts = {} as Manifest['parts'];

    mkdirSync(join(dir, 'config'));
    cpSync(join(WORKSPACE_ROOT, 'monitoring'), join(dir, 'config', 'monitoring'), { recursive: true });
    const envFile = ENV_FILE();
    if (existsSync(envFile)) cpSync(envFile, join(dir, 'config', '.env'));
    parts.config = existsSync(envFile) ? 'monitoring/ and .env' : 'monitoring/ (no .env)';
    out(`  configuration: ${parts.config}`);

    const snapshot = await getJson<{ status: string; data: { name: string } }>(`${target.prometheusUrl}/api/v1/admin/tsdb/snapshot`, { method: 'POST', timeoutMs: 120_000 });
    await target.takeSnapshot(snapshot.data.name, join(dir, 'prometheus', 'snapshot'));
    parts.prometheus = `TSDB snapshot ${snapshot.data.name}`;
    out(`  prometheus: ${parts.prometheus}`);

    const silences = await getJson<Silence[]>(`${target.alertmanagerUrl}/api/v2/silences`);
    mkdirSync(join(dir, 'alertmanager'));
    writeFileSync(join(dir, 'alertmanager', 'silences.json'), `${JSON.stringify(silences, null, 2)}\n`);
    const live = silences.filter((silence) => silence.status?.state !== 'expired').length;
    parts.silences = `${silences.length} silences (${live} not expired)`;
    out(`  alertmanager: ${parts.silences}`);

    parts.grafana = await target.saveGrafana(join(dir, 'grafana'));
    out(`  grafana: ${parts.grafana}`);

    mkdirSync(join(dir, 'postgres'));
    const database = await target.dumpDatabase(join(dir, 'postgres', 'database.sql'));
    parts.database = `pg_dump of ${database} (${statSync(join(dir, 'postgres', 'database.sql')).size} bytes)`;
    out(`  postgres: ${parts.database}`);

    const manifest: Manifest = { format: ARCHIVE_FORMAT, createdAt: createdAt.toISOString(), mode: target.mode, parts };
    writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      run('tar', ['-czf', archive, '-C', dir, '.']);
    } catch (error) {
      rmSync(archive, { force: true });
      throw error;
    }
    chmodSync(archive, 0o600);
    return archive;
  } finally {
    scratch.remove();
  }
}

/** Checks an archive and unpacks it into `into`: throws, having changed nothing, when it is not a whole backup. */
export function unpackArchive(archive: string, into: string): Manifest {
  if (!existsSync(archive)) throw new Error(`no archive at ${archive}`);
  if (!statSync(archive).isFile()) throw new Error(`${archive} is not a file`);
  const listing = spawnSync('tar', ['-tzf', archive], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (listing.status !== 0) throw new Error(`${archive} is not a readable tar.gz archive: ${(listing.stderr || '').trim().split('\n')[0]}`);
  const entries = listing.stdout.split('\n').map((entry) => entry.replace(/^\.\//, ''));
  if (entries.some((entry) => entry.startsWith('/') || entry.split('/').includes('..'))) throw new Error(`${archive} has paths outside its own folder; refusing it`);
  if (!entries.includes('manifest.json')) throw new Error(`${archive} is not a backup made by \`start-monitoring.sh backup\` (it has no manifest.json)`);
  run('tar', ['-xzf', archive, '-C', into]);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(into, 'manifest.json'), 'utf8')) as Manifest;
  } catch (error) {
    throw new Error(`${archive}: manifest.json is not JSON (${(error as Error).message})`);
  }
  if (manifest.format !== ARCHIVE_FORMAT) throw new Error(`${archive} has format ${manifest.format}; this script reads format ${ARCHIVE_FORMAT}`);
  const missing: string[] = [];
  if (!existsSync(join(into, 'postgres', 'database.sql'))) missing.push('postgres/database.sql');
  if (!existsSync(join(into, 'prometheus', 'snapshot'))) missing.push('prometheus/snapshot/');
  try {
    if (!Array.isArray(JSON.parse(readFileSync(join(into, 'alertmanager', 'silences.json'), 'utf8')))) missing.push('alertmanager/silences.json (not a list)');
  } catch {
    missing.push('alertmanager/silences.json');
  }
  if (missing.length > 0) throw new Error(`${archive} is incomplete: ${missing.join(', ')} missing or unreadable`);
  return manifest;
}

const silenceKey = (silence: Silence): string =>
  JSON.stringify([
    [...silence.matchers].map((m) => [m.name, m.value, m.isRegex, m.isEqual ?? true]).sort(),
    silence.createdBy,
    silence.comment,
    silence.endsAt,
  ]);

/** Re-creates every silence of the backup that has not ended and is not there already; returns how many. */
async function restoreSilences(alertmanagerUrl: string, file: string): Promise<{ created: number; present: number; ended: number }> {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Silence[];
  const current = await getJson<Silence[]>(`${alertmanagerUrl}/api/v2/silences`);
  const existing = new Set(current.filter((silence) => silence.status?.state !== 'expired').map(silenceKey));
  const result = { created: 0, present: 0, ended: 0 };
  for (const silence of saved) {
    if (silence.status?.state === 'expired' || Date.parse(silence.endsAt) <= Date.now()) {
      result.ended++;
      continue;
    }
    if (existing.has(silenceKey(silence))) {
      result.present++;
      continue;
    }
    const body = { matchers: silence.matchers, startsAt: silence.startsAt, endsAt: silence.endsAt, createdBy: silence.createdBy, comment: silence.comment };
    const answer = await request(`${alertmanagerUrl}/api/v2/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!answer.ok) throw new Error(`Alertmanager refused silence ${silence.id ?? ''}: ${answer.error ?? `HTTP ${answer.status} ${answer.body}`}`);
    result.created++;
  }
  return result;
}

/** Validates, then restores silences, the database, the TSDB and (under compose) Grafana. */
export async function restore(target: BackupTarget, state: StateDir, archivePath: string, out: (line: string) => void): Promise<void> {
  const archive = resolve(archivePath);
  const scratch = state.scratch('restore');
  try {
    const dir = scratch.dir;
    const manifest = unpackArchive(archive, dir);
    const blockers = await target.restorePreconditions();
    if (blockers.length > 0) throw new Error(`cannot restore now, nothing was changed:\n  ${blockers.join('\n  ')}`);
    out(`restoring ${basename(archive)} (made ${manifest.createdAt} in ${manifest.mode} mode)`);

    const silences = await restoreSilences(target.alertmanagerUrl, join(dir, 'alertmanager', 'silences.json'));
    out(`  alertmanager: ${silences.created} silences re-created, ${silences.present} already there, ${silences.ended} had ended`);

    const grafanaDir = join(dir, 'grafana');
    await target.restoreData(
      { databaseDump: join(dir, 'postgres', 'database.sql'), snapshotDir: join(dir, 'prometheus', 'snapshot'), grafanaDir: existsSync(grafanaDir) ? grafanaDir : undefined },
      out,
    );
    out(`  configuration: the archive's ${manifest.parts.config} stay in the archive (config/); the working tree's are kept`);
  } finally {
    scratch.remove();
  }
}

/** Moves a folder into place, keeping the one it replaces as `<path>.previous` (one generation). */
export function replaceFolder(path: string, replacement: string): void {
  const previous = `${path}.previous`;
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(path)) renameSync(path, previous);
  try {
    renameSync(replacement, path);
  } catch {
    cpSync(replacement, path, { recursive: true });
  }
}
