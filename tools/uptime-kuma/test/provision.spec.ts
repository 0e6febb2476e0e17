import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@ai-finance/testing';
import { parse } from 'yaml';
import { PROMETHEUS_CONFIG_PATH, readinessTargets } from '../src/monitor-spec';
import { FakeUptimeKuma } from './fake-uptime-kuma';

const CLI = join(__dirname, '..', 'dist', 'provision.js');
const LOOPBACK_GUARD = join(__dirname, 'only-loopback.js');
const ADMIN = { UPTIME_KUMA_USERNAME: 'admin', UPTIME_KUMA_PASSWORD: 'not-a-real-secret-1' };
const TARGETS = readinessTargets(readFileSync(PROMETHEUS_CONFIG_PATH, 'utf8'));
const MONITOR_NAMES = TARGETS.map(({ service }) => `${service} ready`).sort();

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** host:port of every TCP connection the tool opened. */
  connections: string[];
}

/** Runs the built CLI as operators do, with nothing from this environment but PATH and what is given. */
async function provision(env: Record<string, string>): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'uptime-kuma-provision-'));
  const log = join(dir, 'connections');
  try {
    const child = spawn(process.execPath, ['-r', LOOPBACK_GUARD, CLI], {
      env: { PATH: process.env.PATH ?? '', CONNECTIONS_LOG: log, UPTIME_KUMA_TIMEOUT_MS: '5000', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const connections = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    return { status, stdout, stderr, connections };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Uptime Kuma provisioning (node tools/uptime-kuma/dist/provision.js)', () => {
  let kuma: FakeUptimeKuma;

  beforeAll(() => {
    // Nx builds before it tests; a direct `jest` run must not test an older build than the sources.
    const sources = join(__dirname, '..', 'src');
    const newestSource = Math.max(...readdirSync(sources).map((file) => statSync(join(sources, file)).mtimeMs));
    if (!existsSync(CLI) || statSync(CLI).mtimeMs < newestSource) {
      throw new Error(`${CLI} is missing or older than src/: build it first (npx nx run uptime-kuma-tools:build; nx test does so itself)`);
    }
  });

  beforeEach(async () => {
    kuma = new FakeUptimeKuma();
    await kuma.start();
  });

  afterEach(() => kuma.stop());

  const run = (extra: Record<string, string> = {}) => provision({ UPTIME_KUMA_URL: kuma.url, ...ADMIN, ...extra });

  it('on a fresh Uptime Kuma, creates the admin from the environment and one monitor per service of the blackbox job, ten in all', async () => {
    const result = await run();

    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    expect(kuma.calls.slice(0, 3)).toEqual(['needSetup', 'setup', 'login']);
    expect(kuma.callCount('add')).toBe(10);
    expect(kuma.monitorNames).toEqual(MONITOR_NAMES);
    expect(kuma.byName('payment ready')).toEqual([
      expect.objectContaining({
        type: 'http',
        url: 'http://payment:3020/health/ready',
        method: 'GET',
        interval: 30,
        retryInterval: 30,
        maxretries: 2,
        accepted_statuscodes: ['200-299'],
        maxredirects: 0,
        active: true,
      }),
    ]);
    expect(result.stdout).toContain('10 created, 0 updated, 0 unchanged, 0 duplicates removed');
  });

  it('opens no connection but to the Uptime Kuma it is given on 127.0.0.1', async () => {
    const result = await run();

    expect(result.status).toBe(0);
    expect([...new Set(result.connections)]).toEqual([new URL(kuma.url).host]);
  });

  it('on a second run adds nothing and edits nothing', async () => {
    await run();
    const before = structuredClone([...kuma.monitors.values()]);
    kuma.calls.length = 0;

    const result = await run();

    expect(result.status).toBe(0);
    expect({ setup: kuma.callCount('setup'), add: kuma.callCount('add'), editMonitor: kuma.callCount('editMonitor'), deleteMonitor: kuma.callCount('deleteMonitor') }).toEqual({
      setup: 0,
      add: 0,
      editMonitor: 0,
      deleteMonitor: 0,
    });
    expect([...kuma.monitors.values()]).toEqual(before);
    expect(result.stdout).toContain('0 created, 0 updated, 10 unchanged, 0 duplicates removed');
  });

  it('puts a monitor changed by hand back as specified, in place (same id, its other settings kept)', async () => {
    kuma.withAdmin(ADMIN.UPTIME_KUMA_USERNAME, ADMIN.UPTIME_KUMA_PASSWORD);
    const changed = kuma.seed({ name: 'payment ready', url: 'http://payment:9999/health/ready', interval: 300, notificationIDList: { '3': true } });

    const result = await run();

    expect(result.status).toBe(0);
    expect({ add: kuma.callCount('add'), editMonitor: kuma.callCount('editMonitor') }).toEqual({ add: 9, editMonitor: 1 });
    expect(kuma.byName('payment ready')).toEqual([
      expect.objectContaining({ id: changed.id, url: 'http://payment:3020/health/ready', interval: 30, notificationIDList: { '3': true } }),
    ]);
    expect(result.stdout).toMatch(/updated +payment ready \(.*url.*interval.*\)/);
  });

  it('leaves monitors it does not own alone, and keeps only the oldest of two with a name it owns', async () => {
    kuma.withAdmin(ADMIN.UPTIME_KUMA_USERNAME, ADMIN.UPTIME_KUMA_PASSWORD);
    const foreign = kuma.seed({ name: 'company website', url: 'https://www.example.com/', interval: 120 });
    const oldest = kuma.seed({ name: 'risk ready', url: 'http://risk:3070/health/ready' });
    kuma.seed({ name: 'risk ready', url: 'http://risk:3070/health/ready' });

    const result = await run();

    expect(result.status).toBe(0);
    expect(kuma.monitorNames).toEqual([...MONITOR_NAMES, 'company website'].sort());
    expect(kuma.monitors.get(foreign.id)).toEqual(foreign);
    expect(kuma.byName('risk ready').map(({ id }) => id)).toEqual([oldest.id]);
    expect(result.stdout).toContain(`removed    duplicate risk ready (id ${oldest.id + 1})`);
  });

  it('fails with Uptime Kuma\'s reason and a non-zero exit when the password is wrong, and changes nothing', async () => {
    kuma.withAdmin(ADMIN.UPTIME_KUMA_USERNAME, 'the-right-password-2');

    const result = await run();

    expect(result.status).toBe(1);
    expect(result.stderr).toBe('uptime-kuma provisioning failed: logging in as "admin": Uptime Kuma refused: Incorrect username or password.\n');
    expect(kuma.monitors.size).toBe(0);
    expect(kuma.callCount('setup')).toBe(0);
  });

  it('refuses to create the admin with a password Uptime Kuma calls too weak, saying so', async () => {
    const result = await run({ UPTIME_KUMA_PASSWORD: 'short' });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain('creating the admin user: Uptime Kuma refused: Password is too weak');
  });

  it.each(['UPTIME_KUMA_USERNAME', 'UPTIME_KUMA_PASSWORD'])('stops before connecting when %s is not set, naming it', async (variable) => {
    const env: Record<string, string> = { UPTIME_KUMA_URL: kuma.url, ...ADMIN };
    delete env[variable];

    const result = await provision(env);

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${variable}: required.*\\(not set\\)`));
    expect({ connections: result.connections, calls: kuma.calls }).toEqual({ connections: [], calls: [] });
  });

  it('says which address it could not reach when nothing answers there', async () => {
    const port = await freePort();

    const result = await provision({ UPTIME_KUMA_URL: `http://127.0.0.1:${port}`, ...ADMIN });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cannot reach Uptime Kuma at http://127.0.0.1:${port}`);
  });
});

describe('the monitored services come from the blackbox job of prometheus.yml', () => {
  it('one readiness URL per service, the same ten services the `services` job scrapes', () => {
    const config = parse(readFileSync(PROMETHEUS_CONFIG_PATH, 'utf8')) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    const scraped = config.scrape_configs.find((job) => job.job_name === 'services')?.static_configs.flatMap((group) => group.targets.map((target) => target.split(':')[0]));
    expect(TARGETS.map(({ service }) => service).sort()).toEqual(scraped?.sort());
    expect(TARGETS).toHaveLength(10);
    for (const { service, url } of TARGETS) expect(url).toMatch(new RegExp(`^http://${service}:\\d+/health/ready$`));
  });

  it('refuses a prometheus.yml without the blackbox job instead of provisioning nothing', () => {
    expect(() => readinessTargets('scrape_configs:\n  - job_name: services\n    static_configs: [{ targets: ["a:1"] }]\n')).toThrow(
      'prometheus.yml has no "blackbox" scrape job to take the services from',
    );
  });
});
