import { mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { type BackupTarget, replaceFolder, type RestoreParts, run } from './backup';
import { maintenanceDatabaseUrl } from './programs';
import type { LocalStack, Out } from './local-stack';
import { findExecutable } from './processes';

const databaseName = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));
const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Backup and restore of the local stack: files in the state folder, pg_dump and psql on PATH. */
export class LocalBackupTarget implements BackupTarget {
  readonly mode = 'local' as const;

  constructor(
    private readonly stack: LocalStack,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {}

  get prometheusUrl(): string {
    return `http://127.0.0.1:${this.stack.settings.ports.prometheus}`;
  }

  get alertmanagerUrl(): string {
    return `http://127.0.0.1:${this.stack.settings.ports.alertmanager}`;
  }

  async takeSnapshot(name: string, into: string): Promise<void> {
    mkdirSync(dirname(into), { recursive: true });
    // Same file system: the snapshot's hard links move at once and leave nothing behind in the TSDB.
    renameSync(this.stack.state.path('prometheus', 'data', 'snapshots', name), into);
  }

  async dumpDatabase(file: string): Promise<string> {
    run('pg_dump', ['--no-owner', '--no-privileges', `--dbname=${this.stack.settings.databaseUrl}`, `--file=${file}`]);
    return databaseName(this.stack.settings.databaseUrl);
  }

  async saveGrafana(): Promise<string> {
    return 'skipped: local mode runs no Grafana';
  }

  async restorePreconditions(): Promise<string[]> {
    const problems: string[] = [];
    for (const name of ['prometheus', 'alertmanager']) if (!this.stack.running(name)) problems.push(`${name} is not running: ./start-monitoring.sh start first`);
    for (const tool of ['psql', 'pg_dump']) if (!findExecutable([tool])) problems.push(`${tool} is not installed (apt-get install -y postgresql-client)`);
    if (problems.length === 0) {
      try {
        run('psql', ['-X', '-q', '-d', maintenanceDatabaseUrl(this.stack.settings.databaseUrl), '-c', 'select 1']);
      } catch (error) {
        problems.push(`PostgreSQL does not answer: ${(error as Error).message}`);
      }
    }
    return problems;
  }

  /**
   * The services and Prometheus stop, the database is dropped and made again from the dump, the TSDB
   * folder is replaced by the snapshot (the one it replaces is kept as data.previous), and everything
   * starts again and must pass `health`.
   */
  async restoreData(parts: RestoreParts, out: Out): Promise<void> {
    const stopped = [...this.stack.components.filter((component) => component.kind === 'service').map((component) => component.name), 'prometheus'];
    out('  stopping the ten services and Prometheus');
    await this.stack.stop(stopped);
    const url = this.stack.settings.databaseUrl;
    const name = quoteIdentifier(databaseName(url));
    run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', maintenanceDatabaseUrl(url), '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, '-c', `CREATE DATABASE ${name}`]);
    run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-d', url, '-f', parts.databaseDump]);
    out(`  postgres: ${databaseName(url)} dropped and restored from the dump`);
    replaceFolder(this.stack.state.path('prometheus', 'data'), parts.snapshotDir);
    out(`  prometheus: TSDB replaced by the snapshot (the one before is in ${this.stack.state.path('prometheus', 'data.previous')})`);
    if (parts.grafanaDir) out('  grafana: the archive has Grafana data, but local mode runs no Grafana; left in the archive');
    out('  starting them again');
    if (!(await this.stack.start(this.baseEnv))) throw new Error('the stack did not come back healthy after the restore');
  }
}
