import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript, SCRIPT } from './script';

describe('./start-monitoring.sh: the command line', () => {
  let stateDir: string;
  const env = () => ({ MONITORING_STATE_DIR: stateDir });

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'stack-usage-'));
  });

  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('is clean under shellcheck', () => {
    const result = spawnSync('shellcheck', [SCRIPT], { encoding: 'utf8' });
    if (result.error) throw new Error(`shellcheck is needed (Debian package "shellcheck"): ${result.error.message}`);
    expect({ status: result.status, findings: result.stdout }).toEqual({ status: 0, findings: '' });
  });

  it.each([
    [[], 'no command given'],
    [['launch'], 'unknown command: launch'],
    [['start', 'now'], 'start takes no arguments'],
    [['stop', '--force'], 'unknown option --force'],
    [['restore'], 'restore takes exactly one archive'],
    [['restore', 'a.tar.gz', 'b.tar.gz'], 'restore takes exactly one archive'],
    [['logs', 'payment', 'audit'], 'logs takes at most one component'],
    [['status', '-f'], 'status takes no arguments (got: -f)'],
    [['restore', '-f'], 'restore takes an archive, not -f'],
    [['--local', '--compose', 'status'], '--local and --compose exclude each other'],
  ])('refuses %j with the usage and exit status 2, changing nothing', async (args, message) => {
    const run = await runScript(args, env());
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: ./start-monitoring.sh');
  });

  it('prints the usage with help, -h and --help, and exits 0', async () => {
    for (const args of [['help'], ['-h'], ['--help']]) {
      const run = await runScript(args, env());
      expect({ args, status: run.status }).toEqual({ args, status: 0 });
      expect(run.stdout).toContain('restore <archive>');
    }
  });

  it('names an unknown component of logs and the ones there are', async () => {
    const run = await runScript(['--local', 'logs', 'mainframe'], env());
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/unknown component mainframe; the components are: alert-sink, .*payment.*prometheus/);
  });

  it('refuses to restore an archive that does not exist or is not a backup, changing nothing', async () => {
    const missing = await runScript(['--local', 'restore', join(stateDir, 'nothing.tar.gz')], env());
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`no archive at ${join(stateDir, 'nothing.tar.gz')}`);

    const notGzip = join(stateDir, 'not-a-backup.tar.gz');
    writeFileSync(notGzip, 'plain text, not gzip');
    const corrupt = await runScript(['--local', 'restore', notGzip], env());
    expect(corrupt.status).toBe(1);
    expect(corrupt.stderr).toContain(`${notGzip} is not a readable tar.gz archive`);

    const content = join(stateDir, 'other');
    mkdirSync(content);
    writeFileSync(join(content, 'notes.txt'), 'a tar.gz, but not a backup');
    const other = join(stateDir, 'other.tar.gz');
    expect(spawnSync('tar', ['-czf', other, '-C', content, '.']).status).toBe(0);
    const notBackup = await runScript(['--local', 'restore', other], env());
    expect(notBackup.status).toBe(1);
    expect(notBackup.stderr).toContain('is not a backup made by `start-monitoring.sh backup` (it has no manifest.json)');
  });
});
