import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backup, restore } from './backup';
import { ComposeStack } from './compose-stack';
import { faultCommand } from './faults/fault-command';
import { LocalFaultBackend } from './faults/local-fault-backend';
import { printChecks } from './health';
import { LocalBackupTarget } from './local-backup';
import { WORKSPACE_ROOT } from './layout';
import { LocalStack, localSettingsForStart, settingsFromEnv } from './local-stack';
import { missingPackages } from './programs';
import { report } from './report';
import { StateDir } from './state';
import { table } from './table';

/*
 * What ./start-monitoring.sh runs once it has chosen the mode and made sure everything is installed:
 *   node tools/stack/dist/cli.js <local|compose> <command> [arguments]
 * The shell script owns the usage text and the argument checks; this file trusts them.
 */

const out = (line: string): void => void process.stdout.write(`${line}\n`);
// `./start-monitoring.sh report | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));

/** The local stack as the last start left it, or as the environment would start it. */
function localStack(state: StateDir): LocalStack {
  const settings = state.readSettings();
  return new LocalStack(state, settings?.mode === 'local' ? settings : settingsFromEnv(process.env), out);
}

async function local(command: string, args: string[], state: StateDir): Promise<number> {
  switch (command) {
    case 'start': {
      const missing = missingPackages();
      if (missing.length > 0) {
        out(`missing programs; install them with: apt-get install -y ${missing.join(' ')}`);
        return 1;
      }
      out(`local mode: pids, logs, configuration and data in ${state.root}`);
      const settings = await localSettingsForStart(state, process.env, out);
      const ok = await new LocalStack(state, settings, out).start(process.env);
      if (ok) out(`gateway http://127.0.0.1:${settings.ports['api-gateway']}  Prometheus http://127.0.0.1:${settings.ports.prometheus}  Alertmanager http://127.0.0.1:${settings.ports.alertmanager}`);
      return ok ? 0 : 1;
    }
    case 'stop': {
      const stack = localStack(state);
      if (await new LocalFaultBackend(stack, process.env).stopAttack()) out('  login-brute-force stopped');
      await stack.stop();
      const left = stack.components.filter((component) => stack.running(component.name));
      out(left.length === 0 ? 'stopped: no component of the local stack is running' : `still running: ${left.map((component) => component.name).join(', ')}`);
      return left.length === 0 ? 0 : 1;
    }
    case 'status': {
      const stack = localStack(state);
      out(`mode: local; state folder ${state.root}`);
      table([['component', 'state', 'pid', 'url'], ...stack.statusRows()]).forEach((line) => out(`  ${line}`));
      const { settings } = stack;
      out(`database ${settings.databaseUrl}; RabbitMQ ${settings.rabbitmqUrl}${settings.rabbitmqMetrics ? `, plugin scraped at ${settings.rabbitmqMetrics}` : ', plugin not scraped'}`);
      out(`secrets (JWT_SECRET, the notification webhook token): ${state.path('secrets')}; logs: ${state.path('logs')}`);
      return 0;
    }
    case 'health':
      return printChecks(await localStack(state).health(), out) ? 0 : 1;
    case 'report': {
      const stack = localStack(state);
      const services = stack.components.filter((component) => component.kind === 'service').map((component) => component.name);
      return (await report({ prometheusUrl: stack.component('prometheus')!.url, alertmanagerUrl: stack.component('alertmanager')!.url, services, out })) ? 0 : 1;
    }
    case 'logs': {
      const follow = args[0] === '-f' || args[0] === '--follow';
      const names = follow ? args.slice(1) : args;
      const stack = localStack(state);
      const unknown = names.filter((name) => !stack.component(name));
      if (unknown.length > 0) {
        out(`unknown component ${unknown.join(', ')}; the components are: ${stack.components.map((component) => component.name).join(', ')}`);
        return 2;
      }
      const files = (names.length > 0 ? names : stack.components.map((component) => component.name)).map((name) => state.logFile(name)).filter((file) => existsSync(file));
      if (files.length === 0) {
        out(`no log yet in ${state.path('logs')}`);
        return 0;
      }
      return spawnSync('tail', ['-n', names.length === 1 ? '100' : '20', ...(follow ? ['-F'] : []), ...files], { stdio: 'inherit' }).status ?? 1;
    }
    case 'backup': {
      const stack = localStack(state);
      out('backing up the local stack');
      const archive = await backup(new LocalBackupTarget(stack, process.env), state, out);
      out(`wrote ${archive}`);
      return 0;
    }
    case 'restore': {
      await restore(new LocalBackupTarget(localStack(state), process.env), state, args[0], out);
      out('restored');
      return 0;
    }
    case 'fault':
      return faultCommand(args, new LocalFaultBackend(localStack(state), process.env), out);
    case 'traffic':
      return runTraffic(localStack(state).component('api-gateway')!.url, args);
    default:
      throw new Error(`unknown command ${command}`);
  }
}

const TRAFFIC_CLI = join(WORKSPACE_ROOT, 'tools/traffic/dist/cli.js');

/**
 * The traffic simulator against the stack's gateway, in the foreground. Ctrl-C reaches both processes;
 * this one waits for the simulator to print its summary and exits with its code.
 */
async function runTraffic(gatewayUrl: string, args: string[]): Promise<number> {
  if (!existsSync(TRAFFIC_CLI)) {
    out(`${TRAFFIC_CLI} is not built: npx nx run traffic-tools:build`);
    return 1;
  }
  const gatewayGiven = args.some((arg) => arg === '--gateway' || arg.startsWith('--gateway='));
  const child = spawn(process.execPath, [TRAFFIC_CLI, ...(gatewayGiven ? [] : ['--gateway', gatewayUrl]), ...args], { stdio: 'inherit' });
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1))));
}

async function main(argv: string[]): Promise<number> {
  const [mode, command, ...args] = argv;
  const state = new StateDir();
  if (mode === 'local') return local(command, args, state);
  if (mode === 'compose') {
    const compose = new ComposeStack(state, out);
    return command === 'traffic' ? runTraffic(compose.url('api-gateway'), args) : compose.run(command, args);
  }
  throw new Error(`usage: cli.js <local|compose> <command> [arguments] (got mode "${mode}")`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
