/**
 * Global setup of the `integration` project: starts a PRIVATE local stack (own state dir under
 * .horton/test-<pid>, free ports picked now) so a run never touches a developer's `npm run local`
 * stack or another run's, provides its endpoints to the tests (`inject('localStack')`), and stops it
 * by pid at the end, failing the run if any process naming the state dir survives.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  downLocalStack,
  findProcessesMentioning,
  type LocalStackEndpoints,
  type LocalStackOptions,
  resolveLocalStackOptions,
  type UpResult,
  upLocalStack,
} from '../../localstack/stack/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the stack this run started. */
    localStack: LocalStackEndpoints;
    /** Options of that stack (ports, state dir), serialisable: no functions. */
    localStackConfig: Pick<LocalStackOptions, 'stateDir' | 'cacheDir' | StackPortName>;
  }
}

/**
 * Below the kernel's ephemeral range (outbound connections and `listen(0)` draw from that range, so
 * a port picked there can be taken by any client socket before the broker binds it).
 */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const start = Number(low);
    return Number.isInteger(start) && start > 20_000 ? start : 32_768;
  } catch {
    return 32_768; // Linux default; macOS uses 49152+, so this is below it as well
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` distinct ports that are free now, picked at random between 20000 and the ephemeral range. */
export async function freePorts(count: number): Promise<number[]> {
  const low = 20_000;
  const high = ephemeralRangeStart() - 1;
  const chosen = new Set<number>();
  for (let attempt = 0; chosen.size < count; attempt += 1) {
    if (attempt > 200) throw new Error(`no ${count} free ports found between ${low} and ${high}`);
    const port = low + randomInt(high - low + 1);
    if (!chosen.has(port) && (await canBind(port))) chosen.add(port);
  }
  return [...chosen];
}

function log(message: string): void {
  process.stderr.write(`[local stack] ${message}\n`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stacks of earlier runs that were killed before their teardown (Ctrl+C twice, a crashed runner)
 * would keep their brokers forever: stop them, by their own pid files, when the run that owned
 * them (the pid in the folder name) is gone.
 */
async function sweepAbandonedTestStacks(hortonDir: string): Promise<void> {
  if (!existsSync(hortonDir)) return;
  for (const entry of readdirSync(hortonDir)) {
    const owner = /^test-(?:[a-z]+-)?(\d+)$/.exec(entry)?.[1];
    if (!owner || isAlive(Number(owner))) continue;
    const stateDir = path.join(hortonDir, entry);
    log(`stopping the abandoned test stack ${stateDir}`);
    await downLocalStack({ stateDir, log });
    await rm(stateDir, { recursive: true, force: true });
  }
}

type StackPortName = 'kafkaPort' | 'kafkaControllerPort' | 'awsPort' | 'simulatorPort';
type StackPorts = Pick<LocalStackOptions, StackPortName>;

async function freeStackPorts(): Promise<StackPorts> {
  const [kafkaPort = 0, kafkaControllerPort = 0, awsPort = 0, simulatorPort = 0] = await freePorts(4);
  return { kafkaPort, kafkaControllerPort, awsPort, simulatorPort };
}

/**
 * `upLocalStack` on ports picked now. A port can still be taken between the pick and the bind; the
 * stack then refuses before launching anything, and we pick again (at most 3 times).
 */
export async function upOnFreePorts(
  overrides: Partial<LocalStackOptions>,
): Promise<{ options: LocalStackOptions; result: UpResult }> {
  for (let attempt = 1; ; attempt += 1) {
    const options = resolveLocalStackOptions({ ...overrides, ...(await freeStackPorts()) });
    try {
      return { options, result: await upLocalStack(options) };
    } catch (error) {
      if (attempt >= 3 || !/ is not free /.test((error as Error).message)) throw error;
      log(`${(error as Error).message}; picking other ports`);
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hortonDir = path.join(resolveLocalStackOptions().rootDir, '.horton');
  await sweepAbandonedTestStacks(hortonDir);

  const { options, result } = await upOnFreePorts({
    stateDir: path.join(hortonDir, `test-${process.pid}`),
    log,
  });
  if (!options.simulator) {
    log(`simulator disabled (localstack/simulator/main.ts missing or HORTON_SIMULATOR=0)`);
  }
  log(`up in ${(result.totalMs / 1000).toFixed(1)} s, state dir ${options.stateDir}`);
  project.provide('localStack', result.endpoints);
  project.provide('localStackConfig', {
    stateDir: options.stateDir,
    cacheDir: options.cacheDir,
    kafkaPort: options.kafkaPort,
    kafkaControllerPort: options.kafkaControllerPort,
    awsPort: options.awsPort,
    simulatorPort: options.simulatorPort,
  });

  return async () => {
    await downLocalStack(options);
    const leftovers = findProcessesMentioning(`${options.stateDir}${path.sep}`);
    if (leftovers.length > 0) {
      // Keep the state dir (logs) for the post-mortem.
      throw new Error(
        `processes of the test stack survived teardown:\n${leftovers.map((p) => `${p.pid} ${p.commandLine}`).join('\n')}`,
      );
    }
    await rm(options.stateDir, { recursive: true, force: true });
  };
}
