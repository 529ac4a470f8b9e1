/**
 * npm run local -- up|down|status [--no-simulator] [--json]
 *
 * Manages the local stack (Kafka broker, moto AWS emulator, AlphaVantage simulator) as detached
 * processes; configuration comes from HORTON_* environment variables (see localstack/README.md).
 * Exit codes: 0 success / everything running and ready; 1 failure, or `status` found a service
 * crashed or not ready; 2 usage error (unknown flag or command, invalid HORTON_* setting), in one line;
 * 3 `status` found the stack stopped. `--debug` adds stack traces.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  downLocalStack,
  type LocalStackOptions,
  LocalStackSettingError,
  localStackStatus,
  resolveLocalStackOptions,
  type ServiceStatus,
  upLocalStack,
} from './stack/index.ts';

const USAGE = 'usage: npm run local -- up|down|status [--no-simulator] [--json] [--debug]';

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

/** A mistake in how the command was called: one line, exit code 2. */
class UsageError extends Error {}

/** The flags, one row each. */
const FLAGS = {
  'no-simulator': { type: 'boolean' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

async function main(argv: string[]): Promise<number> {
  let parsed: { positionals: string[]; values: { [name in keyof typeof FLAGS]?: boolean } };
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: FLAGS });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('.')[0]}; ${USAGE}`);
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  if (values.help) {
    print(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || !command || !['up', 'down', 'status'].includes(command))
    throw new UsageError(USAGE);
  const json = values.json ?? false;
  let options: LocalStackOptions;
  try {
    options = resolveLocalStackOptions(values['no-simulator'] ? { simulator: false } : {});
  } catch (error) {
    if (error instanceof LocalStackSettingError) throw new UsageError(error.message);
    throw error;
  }
  if (json) options.log = (message) => process.stderr.write(`${message}\n`);
  if (command === 'up') return up(options, json);
  if (command === 'down') return down(options, json);
  return status(options, json);
}

// The SDK (used only for the emulator readiness probe here) warns on every run under Node 20 that
// its 2027 releases need Node 22; the Lambda target is Node 24, so the notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const debug = process.argv.includes('--debug');
  process.stderr.write(`error: ${debug ? ((error as Error).stack ?? error) : (error as Error).message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
