/**
 * Global setup of the `integration` project: starts a PRIVATE local stack (own state dir under
 * .horton/test-<pid>, free ports picked now) so a run never touches a developer's `npm run local`
 * stack or another run's, provides its endpoints to the tests (`inject('localStack')`), and stops it
 * by pid at the end, failing the run if any process naming the state dir survives.
 */
import { existsSync, readdirSync } from 'node:fs';
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
  upLocalStack,
} from '../../localstack/stack/index.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoints of the stack this run started. */
    localStack: LocalStackEndpoints;
    /** Options of that stack (ports, state dir), serialisable: no functions. */
    localStackConfig: {
      stateDir: string;
      cacheDir: string;
      kafkaPort: number;
      kafkaControllerPort: number;
      awsPort: number;
      simulatorPort: number;
    };
  }
}

/** Ports the OS says are free right now (bound together, so the set has no duplicates). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
              const address = server.address();
              if (typeof address === 'object' && address) resolve(address.port);
              else reject(new Error('no port assigned'));
            });
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = resolveLocalStackOptions();
  const hortonDir = path.join(base.rootDir, '.horton');
  await sweepAbandonedTestStacks(hortonDir);

  const [kafkaPort, kafkaControllerPort, awsPort, simulatorPort] = await freePorts(4);
  if (!kafkaPort || !kafkaControllerPort || !awsPort || !simulatorPort)
    throw new Error('could not get 4 free ports');
  const options: LocalStackOptions = resolveLocalStackOptions({
    stateDir: path.join(hortonDir, `test-${process.pid}`),
    kafkaPort,
    kafkaControllerPort,
    awsPort,
    simulatorPort,
    log,
  });
  if (!options.simulator) {
    log(
      `simulator disabled (${path.join('localstack', 'simulator', 'main.ts')} missing or HORTON_SIMULATOR=0)`,
    );
  }

  const result = await upLocalStack(options);
  log(`up in ${(result.totalMs / 1000).toFixed(1)} s, state dir ${options.stateDir}`);
  project.provide('localStack', result.endpoints);
  project.provide('localStackConfig', {
    stateDir: options.stateDir,
    cacheDir: options.cacheDir,
    kafkaPort,
    kafkaControllerPort,
    awsPort,
    simulatorPort,
  });

  return async () => {
    await downLocalStack(options);
    const leftovers = findProcessesMentioning(options.stateDir);
    if (leftovers.length > 0) {
      // Keep the state dir (logs) for the post-mortem.
      throw new Error(
        `processes of the test stack survived teardown:\n${leftovers.map((p) => `${p.pid} ${p.commandLine}`).join('\n')}`,
      );
    }
    await rm(options.stateDir, { recursive: true, force: true });
  };
}
