import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort, NativeProgram, runTool } from '@ai-finance/testing';
import { parse } from 'yaml';
import { WORKSPACE_ROOT } from '../src/paths';

const BLACKBOX_CONFIG_PATH = join(WORKSPACE_ROOT, 'monitoring/blackbox/blackbox.yml');
/** The exporter, and the Debian package that installs it. */
const EXPORTER = 'prometheus-blackbox-exporter';
const INSTALL = `apt-get install -y ${EXPORTER}`;

interface BlackboxConfig {
  modules: Record<string, { prober: string; timeout: string; http?: Record<string, unknown> }>;
}
interface ScrapeJob {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  params?: { module?: string[] };
}
interface PrometheusConfig {
  global: { scrape_interval: string; scrape_timeout?: string };
  scrape_configs: ScrapeJob[];
}

const seconds = (duration: string): number => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(duration);
  if (!match) throw new Error(`unexpected duration ${duration}`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2] as 'ms' | 's' | 'm'];
};

/** The exporter's answer for one target, reduced to the series the tests look at. */
async function probe(exporterPort: number, target: string): Promise<{ success: number; status: number }> {
  const response = await fetch(`http://127.0.0.1:${exporterPort}/probe?module=http_2xx&target=${encodeURIComponent(target)}`);
  const body = await response.text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1]);
  return { success: value('probe_success'), status: value('probe_http_status_code') };
}

describe('blackbox-exporter configuration (monitoring/blackbox/blackbox.yml)', () => {
  const config = parse(readFileSync(BLACKBOX_CONFIG_PATH, 'utf8')) as BlackboxConfig;
  const prometheus = parse(readFileSync(join(WORKSPACE_ROOT, 'monitoring/prometheus/prometheus.yml'), 'utf8')) as PrometheusConfig;
  let exporter: NativeProgram | undefined;
  let exporterPort: number;
  let app: Server;
  let appUrl: string;
  let ready = true;

  beforeAll(async () => {
    app = createServer((request, response) => {
      if (request.url === '/health/ready') response.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(`{"status":"${ready ? 'ok' : 'error'}"}`);
      else if (request.url === '/moved') response.writeHead(302, { location: '/health/ready' }).end();
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

    exporterPort = await freePort();
    exporter = new NativeProgram(EXPORTER, [`--config.file=${BLACKBOX_CONFIG_PATH}`, `--web.listen-address=127.0.0.1:${exporterPort}`], `http://127.0.0.1:${exporterPort}/-/healthy`, INSTALL);
    await exporter.start();
  });

  afterAll(async () => {
    await exporter?.stop();
    app?.closeAllConnections();
    await new Promise((resolve) => app?.close(resolve));
  });

  it('passes the exporter\'s own `--config.check`', () => {
    const result = runTool(EXPORTER, [`--config.file=${BLACKBOX_CONFIG_PATH}`, '--config.check'], { install: EXPORTER });
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.stringContaining('Config file is ok') });
  });

  it('defines every module prometheus.yml asks for, each timing out before the scrape does', () => {
    const scrapeTimeout = (job: ScrapeJob) =>
      Math.min(seconds(job.scrape_interval ?? prometheus.global.scrape_interval), seconds(job.scrape_timeout ?? prometheus.global.scrape_timeout ?? '10s'));
    const asked = prometheus.scrape_configs.flatMap((job) =>
      (job.params?.module ?? []).map((module) => ({
        job: job.job_name,
        module,
        defined: module in config.modules,
        timesOutBeforeTheScrape: module in config.modules && seconds(config.modules[module].timeout) < scrapeTimeout(job),
      })),
    );
    expect(asked.map(({ module }) => module)).toContain('http_2xx');
    expect(asked).toEqual(asked.map(({ job, module }) => ({ job, module, defined: true, timesOutBeforeTheScrape: true })));
  });

  it('reports probe_success 1 for a service whose /health/ready answers 200, and 0 once it answers 503', async () => {
    ready = true;
    expect(await probe(exporterPort, `${appUrl}/health/ready`)).toEqual({ success: 1, status: 200 });
    ready = false;
    expect(await probe(exporterPort, `${appUrl}/health/ready`)).toEqual({ success: 0, status: 503 });
  });

  it('does not follow a redirect: something other than the readiness endpoint answering is a failure', async () => {
    ready = true;
    expect(await probe(exporterPort, `${appUrl}/moved`)).toEqual({ success: 0, status: 302 });
  });
});
