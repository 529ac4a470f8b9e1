/**
 * `npm run local -- up|down|status`: what each command does and prints. The commands and their flags are defined
 * by the front door (localstack/main.ts). Each returns its exit code: 0 success / everything running and ready;
 * 1 failure, or `status` found a service crashed or not ready; 3 `status` found the stack stopped.
 */
import path from 'node:path';
import {
  downLocalStack,
  type LocalStackOptions,
  localStackStatus,
  type ServiceStatus,
  upLocalStack,
} from './stack/index.ts';

function relative(file: string): string {
  const shown = path.relative(process.cwd(), file);
  return shown.startsWith('..') ? file : shown;
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export async function up(options: LocalStackOptions, json: boolean): Promise<number> {
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

export async function down(options: LocalStackOptions, json: boolean): Promise<number> {
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

export async function status(options: LocalStackOptions, json: boolean): Promise<number> {
  const services = await localStackStatus(options);
  if (json) print(JSON.stringify(services, null, 2));
  else for (const service of services) print(describe(service));
  const active = services.filter((service) => service.state !== 'disabled');
  if (active.every((service) => service.state === 'stopped')) return 3;
  return active.every((service) => service.state === 'running' && service.ready) ? 0 : 1;
}
