#!/usr/bin/env node
// Checks, before any test runs, that the real servers and tools the tests use are here. A missing one
// fails the run with what to do about it: tests never skip themselves because a server is absent.
const net = require('node:net');
const { spawnSync } = require('node:child_process');

const servers = [
  { name: 'PostgreSQL', port: 5432, start: 'pg_ctlcluster <version> main start' },
  { name: 'Redis', port: 6379, start: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379' },
  { name: 'RabbitMQ', port: 5672, start: 'rabbitmq-server -detached' },
];
const tools = [
  { name: 'promtool', args: ['--version'], install: 'apt-get install -y prometheus' },
  { name: 'prometheus', args: ['--version'], install: 'apt-get install -y prometheus' },
  { name: 'amtool', args: ['--version'], install: 'apt-get install -y prometheus-alertmanager' },
  { name: 'docker-compose', args: ['--version'], install: 'apt-get install -y docker-compose' },
  { name: 'shellcheck', args: ['--version'], install: 'apt-get install -y shellcheck' },
  { name: 'pg_dump', args: ['--version'], install: 'apt-get install -y postgresql-client' },
  ...['blackbox', 'node', 'postgres', 'redis'].map((exporter) => ({
    name: `prometheus-${exporter}-exporter`,
    args: ['--version'],
    install: `apt-get install -y prometheus-${exporter}-exporter`,
  })),
];

function reachable(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

async function main() {
  const problems = [];
  for (const server of servers) {
    if (!(await reachable(server.port))) {
      problems.push(`${server.name} is not answering on 127.0.0.1:${server.port} (start it, e.g. \`${server.start}\`)`);
    }
  }
  for (const tool of tools) {
    const result = spawnSync(tool.name, tool.args, { stdio: 'ignore' });
    if (result.error || result.status !== 0) problems.push(`${tool.name} is not installed (\`${tool.install}\`)`);
  }
  if (problems.length > 0) {
    process.stderr.write(`The tests need these and cannot run without them:\n  - ${problems.join('\n  - ')}\n`);
    process.exit(1);
  }
  process.stdout.write(`preflight: ${servers.map((s) => s.name).join(', ')} reachable; ${tools.map((t) => t.name).join(', ')} installed\n`);
}

void main();
