import { runTool } from '@ai-finance/testing';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from '../src/paths';
import { referencedVariables } from '../src/render-alertmanager';

// docker-compose.enhanced.yml, the Dockerfile and .env.example against the rules of issue 5 and against the
// configuration the containers read (prometheus.yml's targets, Grafana's data sources, the Alertmanager
// template). There is no Docker engine here: `docker-compose config` validates the file, and the rest is
// read from it as written (YAML merge keys resolved).

const read = (path: string): string => readFileSync(join(WORKSPACE_ROOT, path), 'utf8');
const COMPOSE_FILE = 'docker-compose.enhanced.yml';

interface Healthcheck {
  test?: string[] | string;
  disable?: boolean;
}
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  profiles?: string[];
  restart?: string;
  mem_limit?: string;
  logging?: { driver?: string; options?: Record<string, string> };
  healthcheck?: Healthcheck;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition?: string }>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  networks?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, { name?: string }>;
  networks: Record<string, { external?: boolean; name?: string }>;
}

const compose = parse(read(COMPOSE_FILE), { merge: true }) as ComposeFile;
const services = Object.entries(compose.services);
const APPS = readdirSync(join(WORKSPACE_ROOT, 'apps')).sort();
const ONE_SHOTS = ['alertmanager-config', 'elk-setup', 'uptime-kuma-setup'];
/** What a user opens: the seed's table of UIs, and the gateway. */
const PUBLISHED = {
  'api-gateway': '127.0.0.1:3000:3000',
  grafana: '127.0.0.1:3001:3000',
  'uptime-kuma': '127.0.0.1:3002:3001',
  prometheus: '127.0.0.1:9090:9090',
  alertmanager: '127.0.0.1:9093:9093',
  kibana: '127.0.0.1:5601:5601',
  jaeger: '127.0.0.1:16686:16686',
};

/** Every `${NAME...}` compose interpolates in a YAML text: comments are not read, and `$${...}` is a literal. */
const composeVariables = (text: string): string[] =>
  text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .flatMap((line) => [...line.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)(?::?[-?][^}]*)?\}/g)].map((match) => match[1]));

/** The .env.example names, in order; fails on a line that is neither a comment, blank, nor `NAME=`. */
function envExampleNames(): string[] {
  return read('.env.example')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([A-Z][A-Z0-9_]*)=$/.exec(line);
      if (!match) throw new Error(`.env.example: "${line}" is not NAME= with an empty value`);
      return match[1];
    });
}

const MEBIBYTES = { k: 1 / 1024, m: 1, g: 1024 } as const;
function mebibytes(limit: string | undefined): number {
  const match = /^(\d+)([kmg])b?$/i.exec(limit ?? '');
  if (!match) throw new Error(`"${limit}" is not a memory size such as 256m or 1g`);
  return Number(match[1]) * MEBIBYTES[match[2].toLowerCase() as keyof typeof MEBIBYTES];
}

/** The Dockerfile's stages by name, each with its instructions (continuation lines joined). */
function dockerfileStages(): Map<string, string[]> {
  const stages = new Map<string, string[]>();
  let current: string[] | undefined;
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  for (const line of lines) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) stages.set(from[1], (current = []));
    current?.push(line);
  }
  return stages;
}

const builtFromDockerfile = (service: ComposeService): boolean => service.build?.context === '.' && (service.build.dockerfile ?? 'Dockerfile') === 'Dockerfile';
const hasOwnHealthcheck = (service: ComposeService): boolean => !service.healthcheck?.disable && (service.healthcheck?.test?.length ?? 0) > 0;

/** The ports a service listens on for others: `expose`, and a built service's PORT. */
const exposedPorts = (service: ComposeService): string[] => [...(service.expose ?? []), ...(service.build?.args?.PORT ? [service.build.args.PORT] : [])];

function runDockerCompose(args: string[], envFile: string): { status: number | null; output: string } {
  // A clean environment: the host's variables must not fill in what .env is supposed to.
  const { status, output } = runTool('docker-compose', ['-f', COMPOSE_FILE, '--env-file', envFile, ...args], {
    install: 'docker-compose',
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() },
  });
  return { status, output };
}

/** Temporary files of this file's tests: env files, shell snippets, a fake workspace. */
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'compose-spec-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('docker-compose.enhanced.yml', () => {
  it('passes `docker-compose config -q` with every .env.example variable set, the mongodb profile included', () => {
    const envFile = join(scratch, 'complete.env');
    writeFileSync(envFile, envExampleNames().map((name) => `${name}=dummy-${name.toLowerCase()}\n`).join(''));
    expect(runDockerCompose(['config', '-q'], envFile)).toEqual({ status: 0, output: '' });
    expect(runDockerCompose(['--profile', 'mongodb', 'config', '-q'], envFile)).toEqual({ status: 0, output: '' });
  });

  it('refuses to run without the generated .env, naming the missing variable', () => {
    const envFile = join(scratch, 'empty.env');
    writeFileSync(envFile, '');
    const result = runDockerCompose(['config', '-q'], envFile);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/Missing mandatory value for .* see \.env\.example/);
  });

  it('names the ten services after their folders under apps/ and builds each from the Dockerfile with its port', () => {
    const built = services.filter(([, service]) => service.build?.target === 'service');
    expect(built.map(([name]) => name).sort()).toEqual(APPS);
    for (const [name, service] of built) {
      const defaultPort = /defaultPort: (\d+)/.exec(read(`apps/${name}/src/main.ts`))?.[1];
      expect({ name, args: service.build?.args }).toEqual({ name, args: { SERVICE: name, PORT: defaultPort } });
    }
  });

  it('gives every container a health check, or makes it a one-shot that is never restarted', () => {
    const serviceStage = dockerfileStages().get('service') ?? [];
    const imageHealthcheck = serviceStage.some((line) => /^HEALTHCHECK\s.*\/health\/ready/.test(line));
    expect(imageHealthcheck).toBe(true);
    const checked = services.map(([name, service]) => {
      if (ONE_SHOTS.includes(name)) return { name, check: service.restart === 'no' && !hasOwnHealthcheck(service) ? 'one-shot' : 'a one-shot must have restart "no"' };
      if (hasOwnHealthcheck(service)) return { name, check: 'healthcheck' };
      if (builtFromDockerfile(service) && service.build?.target === 'service') return { name, check: 'healthcheck' };
      return { name, check: 'none' };
    });
    expect(checked).toEqual(services.map(([name]) => ({ name, check: ONE_SHOTS.includes(name) ? 'one-shot' : 'healthcheck' })));
  });

  it('gives every container a memory limit, a restart policy and rotated json-file logs', () => {
    for (const [name, service] of services) {
      expect({ name, memoryLimitMiB: mebibytes(service.mem_limit) > 0 }).toEqual({ name, memoryLimitMiB: true });
      expect({ name, restart: service.restart }).toEqual({ name, restart: ONE_SHOTS.includes(name) ? 'no' : 'unless-stopped' });
      expect({ name, logging: service.logging }).toEqual({
        name,
        logging: { driver: 'json-file', options: { 'max-size': expect.stringMatching(/^\d+[km]$/), 'max-file': expect.stringMatching(/^\d+$/) } },
      });
    }
  });

  it('pins every image to a version, or builds it from the Dockerfile', () => {
    const stages = dockerfileStages();
    for (const [name, service] of services) {
      if (service.build) {
        expect({ name, dockerfile: builtFromDockerfile(service), stage: stages.has(service.build.target ?? '') }).toEqual({ name, dockerfile: true, stage: true });
        continue;
      }
      const tag = /^[^\s:@]+(?::\d+)?(?:\/[^\s:@]+)*:([^\s:@]+)$/.exec(service.image ?? '')?.[1];
      expect({ name, image: service.image, pinned: tag !== undefined && tag !== 'latest' && /\d/.test(tag) }).toEqual({ name, image: service.image, pinned: true });
    }
  });

  it('writes no credential: every secret is a ${VARIABLE} without a default, and so is every password in a URL', () => {
    const SECRET_KEY = /PASS|SECRET|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY/;
    const problems: string[] = [];
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (SECRET_KEY.test(key) && !/^\$\{[A-Z][A-Z0-9_]*(:\?[^}]*|:-)?\}$/.test(String(value))) problems.push(`${name}: ${key} is "${value}"`);
      }
      for (const text of JSON.stringify(service).match(/[a-z][a-z0-9+.-]*:\/\/[^\s"@/]*@/g) ?? []) {
        const password = /:\/\/[^:@/]*:([^@]*)@/.exec(text)?.[1];
        if (password !== undefined && !/^\$\{[A-Z][A-Z0-9_]*(:\?[^}]*)?\}$/.test(password)) problems.push(`${name}: ${text} has a literal password`);
      }
    }
    expect(problems).toEqual([]);
    for (const file of [COMPOSE_FILE, 'Dockerfile', '.env.example', 'docs/stack.md']) expect({ file, seedPassword: read(file).includes('admin123') }).toEqual({ file, seedPassword: false });
  });

  it('reads every variable from .env.example, which lists no other, and docs/stack.md names them all', () => {
    const used = [...new Set(composeVariables(read(COMPOSE_FILE)))].sort();
    const listed = envExampleNames();
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(used);
    const docs = read('docs/stack.md');
    expect(listed.filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });

  it('gives alertmanager-config every variable the Alertmanager template needs', () => {
    const template = read('monitoring/alertmanager/alertmanager.yml');
    const environment = compose.services['alertmanager-config'].environment ?? {};
    expect(referencedVariables(template).filter((name) => !(name in environment))).toEqual([]);
    expect(compose.services.alertmanager.depends_on).toEqual({ 'alertmanager-config': { condition: 'service_completed_successfully' } });
  });

  it('publishes only the seed\'s UIs and the gateway, on 127.0.0.1', () => {
    const published = Object.fromEntries(services.filter(([, service]) => service.ports).map(([name, service]) => [name, service.ports]));
    expect(published).toEqual(Object.fromEntries(Object.entries(PUBLISHED).map(([name, port]) => [name, [port]])));
    // The seed's table of ports, as the README repeats it.
    const readme = read('README.md');
    for (const [component, port] of [['Grafana', 3001], ['Uptime Kuma', 3002], ['Prometheus', 9090], ['Alertmanager', 9093], ['Kibana', 5601], ['Jaeger UI', 16686], ['api-gateway', 3000]] as const) {
      expect(readme).toContain(`| ${component} | ${port} |`);
    }
  });

  it('runs a compose service, listening on that port, at every address prometheus.yml scrapes', () => {
    interface ScrapeJob {
      job_name: string;
      static_configs?: Array<{ targets: string[] }>;
      relabel_configs?: Array<{ target_label?: string; replacement?: string }>;
    }
    const prometheus = parse(read('monitoring/prometheus/prometheus.yml')) as {
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
      scrape_configs: ScrapeJob[];
    };
    const addresses = [
      ...prometheus.alerting.alertmanagers.flatMap((manager) => manager.static_configs.flatMap((config) => config.targets)),
      ...prometheus.scrape_configs.flatMap((job) => [
        ...(job.static_configs ?? []).flatMap((config) => config.targets),
        ...(job.relabel_configs ?? []).filter((rule) => rule.target_label === '__address__' && rule.replacement).map((rule) => rule.replacement as string),
      ]),
    ].map((target) => target.replace(/^https?:\/\//, '').replace(/\/.*$/, ''));
    expect(addresses.length).toBeGreaterThan(25);
    const unserved = addresses.filter((address) => {
      const [host, port] = address.split(':');
      // Prometheus scrapes itself as localhost.
      const service = compose.services[host === 'localhost' ? 'prometheus' : host];
      return !service || service.profiles || !exposedPorts(service).includes(port);
    });
    expect(unserved).toEqual([]);
  });

  it('runs a compose service, listening on that port, at every address a container is told to use', () => {
    const datasources = read('monitoring/grafana/provisioning/datasources/datasources.yml');
    const urls = [
      ...[...datasources.matchAll(/url: (http:\/\/[^\s]+)/g)].map((match) => match[1]),
      ...services.flatMap(([, service]) => Object.values(service.environment ?? {}).filter((value) => /^[a-z]+:\/\//.test(String(value)))),
      ...[...read('monitoring/elk/filebeat/filebeat.yml').matchAll(/hosts: \["([^"]+)"\]/g)].map((match) => `tcp://${match[1]}`),
    ];
    // A localhost URL is where a user's browser finds a UI (GF_SERVER_ROOT_URL, ...): a published port.
    const publishedHostPorts = services.flatMap(([, service]) => (service.ports ?? []).map((port) => port.split(':')[1]));
    const unserved = urls.flatMap((url) => {
      const match = /^[a-z]+:\/\/(?:[^@/]*@)?([a-z][a-z0-9-]*):(\d+)/.exec(url);
      if (!match) return [];
      if (match[1] === 'localhost') return publishedHostPorts.includes(match[2]) ? [] : [url];
      const service = compose.services[match[1]];
      return service && exposedPorts(service).includes(match[2]) ? [] : [url];
    });
    expect(urls.length).toBeGreaterThan(20);
    expect(unserved).toEqual([]);
  });

  it('orders start-up with conditions: healthy dependencies, completed one-shots', () => {
    const problems: string[] = [];
    for (const [name, service] of services) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = compose.services[dependency];
        if (!target) problems.push(`${name} depends on unknown ${dependency}`);
        else if (condition === 'service_completed_successfully' && !ONE_SHOTS.includes(dependency)) problems.push(`${name} waits for ${dependency} to complete, which never does`);
        else if (condition === 'service_healthy' && !hasOwnHealthcheck(target) && !builtFromDockerfile(target)) problems.push(`${name} waits for ${dependency} to be healthy, which has no health check`);
        else if (!['service_healthy', 'service_completed_successfully'].includes(condition ?? '')) problems.push(`${name} depends on ${dependency} without a condition`);
      }
    }
    expect(problems).toEqual([]);
    expect(compose.services.logstash.depends_on).toEqual({ 'elk-setup': { condition: 'service_completed_successfully' } });
    for (const app of APPS.filter((app) => app !== 'api-gateway')) expect({ app, rabbitmq: compose.services[app].depends_on?.rabbitmq }).toEqual({ app, rabbitmq: { condition: 'service_healthy' } });
  });

  it('keeps data in named volumes and every container on the external network ai_finance_network', () => {
    expect(compose.networks).toEqual({ default: { external: true, name: 'ai_finance_network' } });
    const named = services.flatMap(([, service]) => (service.volumes ?? []).map((volume) => volume.split(':')[0]).filter((source) => !/^[./]/.test(source)));
    expect([...new Set(named)].sort()).toEqual(Object.keys(compose.volumes).sort());
    for (const [key, volume] of Object.entries(compose.volumes)) expect(volume.name).toBe(`ai_finance_${key.replace(/-/g, '_')}`);
    for (const stateful of ['postgres', 'redis', 'rabbitmq', 'prometheus', 'alertmanager', 'grafana', 'elasticsearch', 'logstash', 'filebeat', 'uptime-kuma', 'mongodb']) {
      expect({ stateful, namedVolume: (compose.services[stateful].volumes ?? []).some((volume) => compose.volumes[volume.split(':')[0]] !== undefined) }).toEqual({ stateful, namedVolume: true });
    }
    expect(services.filter(([, service]) => service.networks !== undefined).map(([name]) => name)).toEqual([]);
  });

  it('adds up its memory limits to the totals docs/stack.md states', () => {
    const total = (withProfiles: boolean) => services.filter(([, service]) => withProfiles || !service.profiles).reduce((sum, [, service]) => sum + mebibytes(service.mem_limit), 0);
    const docs = read('docs/stack.md');
    const stated = (label: string) => Number(new RegExp(`${label}: \\*\\*([\\d,]+) MiB\\*\\*`).exec(docs)?.[1].replace(/,/g, ''));
    expect({ withoutMongodb: total(false), withMongodb: total(true) }).toEqual({ withoutMongodb: stated('Memory total'), withMongodb: stated('With the mongodb profile') });
    // What a laptop can give.
    expect(total(false)).toBeLessThanOrEqual(12 * 1024);
  });

  it('mounts the configuration where each component expects it', () => {
    const mounts = (name: string) => compose.services[name].volumes ?? [];
    expect(mounts('grafana')).toEqual(expect.arrayContaining(['./monitoring/grafana/provisioning:/etc/grafana/provisioning:ro']));
    // provisioning/dashboards/dashboards.yml loads the dashboards from this path.
    const dashboardsPath = /path: (\S+)/.exec(read('monitoring/grafana/provisioning/dashboards/dashboards.yml'))?.[1];
    expect(mounts('grafana')).toContain(`./monitoring/grafana/dashboards:${dashboardsPath}:ro`);
    expect(mounts('prometheus')).toContain('./monitoring/prometheus:/etc/prometheus:ro');
    expect(compose.services.prometheus.command).toEqual(expect.arrayContaining(['--enable-feature=exemplar-storage', '--web.enable-admin-api', '--web.enable-lifecycle']));
    expect(mounts('blackbox-exporter')).toContain('./monitoring/blackbox/blackbox.yml:/etc/blackbox/blackbox.yml:ro');
    expect(compose.services.jaeger.command).toEqual(['--config', '/etc/jaeger/config.yaml']);
    expect(mounts('jaeger')).toContain('./monitoring/jaeger/config.yaml:/etc/jaeger/config.yaml:ro');
    expect(compose.services['uptime-kuma-setup'].environment?.UPTIME_KUMA_URL).toBe('http://uptime-kuma:3001');
    // The services trace to Jaeger and leave log shipping to Filebeat.
    for (const app of APPS) {
      const environment = compose.services[app].environment ?? {};
      expect({ app, otlp: environment.OTEL_EXPORTER_OTLP_ENDPOINT, elasticsearch: environment.ELASTICSEARCH_URL }).toEqual({ app, otlp: 'http://jaeger:4318', elasticsearch: undefined });
    }
  });
});

describe('Dockerfile', () => {
  const stages = dockerfileStages();
  const text = read('Dockerfile');

  it('builds on Node 24 on Debian slim, pinned to a version, and builds the service with nx', () => {
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim$/m);
    expect(text).toMatch(/^ARG NODE_BUILD_IMAGE=node:24\.\d+\.\d+-bookworm$/m);
    expect([...text.matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1]).filter((image) => !/^\$\{NODE_(BUILD_)?IMAGE\}$/.test(image) && !stages.has(image))).toEqual([]);
    expect(stages.get('deps')?.join('\n')).toContain('npm ci');
    expect(stages.get('build')?.join('\n')).toContain('npx nx run "${SERVICE}:build"');
    expect(stages.get('prod-deps')?.join('\n')).toContain('npm ci --omit=dev');
  });

  it('runs the service as the non-root user node, in production mode, with its readiness as health', () => {
    const service = stages.get('service') ?? [];
    expect([...text.matchAll(/^FROM\s+\S+\s+AS\s+(\S+)/gim)].at(-1)?.[1]).toBe('service');
    expect(service).toEqual(
      expect.arrayContaining([
        'USER node',
        'WORKDIR /app/apps/${SERVICE}',
        'CMD ["node", "dist/main.js"]',
        expect.stringMatching(/^HEALTHCHECK .*CMD \["node", "-e", ".*\/health\/ready/),
      ]),
    );
    expect(stages.get('runtime')).toContain('ENV NODE_ENV=production');
    expect(stages.get('tools')).toContain('USER node');
  });

  it('keeps secrets and host builds out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', '**/node_modules', '**/dist', '.git']));
  });
});

describe('monitoring/compose scripts', () => {
  const COMPOSE_DIR = join(WORKSPACE_ROOT, 'monitoring/compose');
  const scripts = readdirSync(COMPOSE_DIR).filter((file) => file.endsWith('.sh'));

  function shellcheck(...files: string[]): { status: number | null; output: string } {
    const { status, output } = runTool('shellcheck', ['--shell=sh', ...files], { install: 'shellcheck' });
    return { status, output };
  }

  it('pass shellcheck, and so does every inline shell command of the compose file', () => {
    expect(scripts.length).toBeGreaterThan(0);
    expect(shellcheck(...scripts.map((script) => join(COMPOSE_DIR, script)))).toEqual({ status: 0, output: '' });
    const inline = services.flatMap(([name, service]) => {
      const snippets: string[] = [];
      for (const argv of [service.entrypoint, service.command, service.healthcheck?.test]) {
        if (!Array.isArray(argv)) continue;
        if (argv[0] === 'sh' && /^-e?c$/.test(argv[1] ?? '')) snippets.push(argv[2]);
        if (argv[0] === 'CMD-SHELL') snippets.push(argv[1]);
      }
      // Compose turns $$ into $.
      return snippets.map((snippet, index) => ({ file: join(scratch, `${name}-${index}.sh`), text: `#!/bin/sh\n${snippet.replace(/\$\$/g, '$')}\n` }));
    });
    expect(inline.length).toBeGreaterThan(2);
    for (const { file, text } of inline) writeFileSync(file, text);
    expect(shellcheck(...inline.map(({ file }) => file))).toEqual({ status: 0, output: '' });
  });

  it('gather-dist.sh collects the named project\'s dist and the built libraries, never libs/testing', () => {
    const tree = join(scratch, 'tree');
    for (const file of ['apps/payment/dist/main.js', 'libs/observability/dist/index.js', 'libs/testing/dist/index.js', 'libs/database/src/index.ts']) {
      mkdirSync(join(tree, file, '..'), { recursive: true });
      writeFileSync(join(tree, file), '');
    }
    const run = (...args: string[]) => spawnSync('sh', [join(COMPOSE_DIR, 'gather-dist.sh'), ...args], { cwd: tree, encoding: 'utf8' });
    const gathered = run(join(scratch, 'out'), 'apps/payment');
    expect({ status: gathered.status, stderr: gathered.stderr }).toEqual({ status: 0, stderr: '' });
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)).map((file) => `${entry.name}/${file}`) : [entry.name]));
    expect(files(join(scratch, 'out')).sort()).toEqual(['apps/payment/dist/main.js', 'libs/observability/dist/index.js']);
    const unbuilt = run(join(scratch, 'out2'), 'apps/trading');
    expect({ status: unbuilt.status, stderr: unbuilt.stderr }).toEqual({ status: 1, stderr: 'error: apps/trading/dist does not exist: was apps/trading built?\n' });
  });
});
