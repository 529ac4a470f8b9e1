/**
 * npm run local -- up|down|status [--no-simulator] [--json]
 *
 * Manages the local stack (Kafka broker, moto AWS emulator, AlphaVantage simulator) as detached
 * processes; configuration comes from HORTON_* environment variables (see localstack/README.md).
 * Exit codes: 0 success / everything running and ready; 1 failure, or `status` found a service
 * crashed or not ready; 3 `status` found the stack stopped.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  downLocalStack,
  type LocalStackOptions,
  localStackStatus,
  resolveLocalStackOptions,
  type ServiceStatus,
  upLocalStack,
} from './stack/index.ts';

const USAGE = 'usage: npm run local -- up|down|status [--no-simulator] [--json]';

function relative(file: string): string {
  const shown = path.relative(process.cwd(), file);
  return shown.startsWith('..') ? file : shown;
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function up(options: LocalStackOptions, json: boolean): Promise<number> {
  const result = await upLocalStack(options);
  if (json) {
    print(JSON.stringify(result, null, 2));
    return 0;
  }
  const pids = result.services.map((service) => `${service.name} pid ${service.pid}`).join(', ');
  if (result.alreadyRunning) print(`local stack already running (${pids}); nothing to do`);
  else print(`local stack up in ${(result.totalMs / 1000).toFixed(1)} s (${pids})`);
  print(`  kafka brokers: ${result.endpoints.kafkaBrokers.join(',')}`);
  print(`  aws endpoint:  ${result.endpoints.awsEndpoint} (region ${result.endpoints.awsRegion})`);
  if (result.endpoints.simulatorUrl) print(`  simulator:     ${result.endpoints.simulatorUrl}`);
  print(`  logs:          ${relative(path.join(options.stateDir, 'logs'))}`);
  return 0;
}

async function down(options: LocalStackOptions, json: boolean): Promise<number> {
  const result = await downLocalStack(options);
  if (json) {
    print(JSON.stringify(result, null, 2));
    return result.leftovers.length === 0 ? 0 : 1;
  }
  for (const service of result.services) {
    const pid = service.pid === undefined ? '' : ` (pid ${service.pid})`;
    const what = {
      stopped: 'stopped',
      killed: 'killed after the grace period',
      'not-running': 'was not running',
      'stale-pid-file': 'was already gone; removed its stale pid file',
    }[service.outcome];
    print(`${service.name.padEnd(10)} ${what}${pid}`);
  }
  for (const leftover of result.leftovers) {
    print(`WARNING: pid ${leftover.pid} still mentions the state dir: ${leftover.commandLine}`);
  }
  return result.leftovers.length === 0 ? 0 : 1;
}

function describe(status: ServiceStatus): string {
  const name = status.name.padEnd(10);
  switch (status.state) {
    case 'running':
      return `${name} running, ${status.ready ? 'ready' : 'NOT READY'}  pid ${status.pid}  ${status.address}  log ${relative(status.logFile)}`;
    case 'stopped':
      return `${name} stopped`;
    case 'disabled':
      return `${name} disabled (HORTON_SIMULATOR=0 / --no-simulator)`;
    case 'crashed':
      return `${name} CRASHED (pid ${status.pid} is gone); ${status.logTail?.replaceAll('\n', '\n    ')}`;
  }
}

async function status(options: LocalStackOptions, json: boolean): Promise<number> {
  const services = await localStackStatus(options);
  if (json) print(JSON.stringify(services, null, 2));
  else for (const service of services) print(describe(service));
  const active = services.filter((service) => service.state !== 'disabled');
  if (active.every((service) => service.state === 'stopped')) return 3;
  return active.every((service) => service.state === 'running' && service.ready) ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'no-simulator': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  const command = positionals[0];
  if (values.help || positionals.length !== 1 || !command) {
    print(USAGE);
    return values.help ? 0 : 1;
  }
  const json = values.json ?? false;
  const options = resolveLocalStackOptions(values['no-simulator'] ? { simulator: false } : {});
  if (json) options.log = (message) => process.stderr.write(`${message}\n`);
  if (command === 'up') return up(options, json);
  if (command === 'down') return down(options, json);
  if (command === 'status') return status(options, json);
  print(USAGE);
  return 1;
}

// The SDK (used only for the emulator readiness probe here) warns on every run under Node 20 that
// its 2027 releases need Node 22; the Lambda target is Node 24, so the notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
