#!/usr/bin/env node
// The README's test command: preflight, then lint, typecheck and every project's tests through Nx,
// then one closing line that adds up the Jest reports of all projects.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const reports = path.join(root, 'reports', 'jest');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } });
  return result.status ?? 1;
}

if (run(process.execPath, [path.join(__dirname, 'preflight.js')]) !== 0) process.exit(1);
fs.rmSync(reports, { recursive: true, force: true });
fs.mkdirSync(reports, { recursive: true });

const nx = path.join(root, 'node_modules', '.bin', 'nx');
const status = run(nx, ['run-many', '-t', 'lint', 'typecheck', 'test', '--outputStyle=stream', '--parallel=1', '--skip-nx-cache', ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
let suites = 0;
for (const file of fs.readdirSync(reports).filter((name) => name.endsWith('.json'))) {
  const report = JSON.parse(fs.readFileSync(path.join(reports, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + report.numRuntimeErrorTestSuites;
  suites += report.numTotalTestSuites;
}
if (suites === 0) {
  process.stdout.write('tests: no test suite ran\n');
  process.exit(1);
}
process.stdout.write(`\ntests: ${passed} passed, ${failed} failed\n`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
