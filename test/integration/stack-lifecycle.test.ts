import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  downLocalStack,
  type LocalStackOptions,
  localStackStatus,
  upLocalStack,
} from '../../localstack/stack/index.ts';
import { upOnFreePorts } from '../support/global-setup.ts';

/**
 * Processes whose command line mentions `fragment`, read straight from /proc: deliberately NOT the
 * stack's own helper, so a bug there cannot hide a leak from this test.
 */
function processesMentioning(fragment: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (commandLine.includes(fragment)) found.push(`${entry}: ${commandLine}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

function isAliveAndNotZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const noProcfs = !existsSync('/proc/self/cmdline');

describe.skipIf(noProcfs)('local stack lifecycle (its own state dir and ports)', () => {
  // A second stack beside the one of the global setup, so killing its broker harms no other test.
  const { cacheDir } = inject('localStackConfig');
  const stateDir = path.join(path.dirname(cacheDir), `test-lifecycle-${process.pid}`);
  let options: LocalStackOptions;

  afterAll(async () => {
    if (options) await downLocalStack(options);
    if (processesMentioning(`${stateDir}/`).length === 0)
      await rm(stateDir, { recursive: true, force: true });
  });

  it('up is idempotent, a killed broker shows as crashed, up restarts it, down leaves no process', async () => {
    // Act: first up (on free ports of its own), then a second one while everything runs
    const started = await upOnFreePorts({ stateDir, cacheDir, log: () => undefined });
    options = started.options;
    const first = started.result;
    const second = await upLocalStack(options);

    // Assess: the second up started nothing and reports the very same processes
    expect(first.alreadyRunning).toBe(false);
    expect(first.services.every((service) => service.outcome === 'started')).toBe(true);
    expect(second.alreadyRunning).toBe(true);
    expect(second.services.map((service) => [service.name, service.pid])).toEqual(
      first.services.map((service) => [service.name, service.pid]),
    );
    const runningStatus = await localStackStatus(options);
    for (const service of first.services) {
      expect(runningStatus.find((status) => status.name === service.name)).toMatchObject({
        state: 'running',
        ready: true,
        pid: service.pid,
      });
    }

    // Act: kill -9 the broker behind the stack's back
    const brokerPid = first.services.find((service) => service.name === 'kafka')?.pid;
    const emulatorPid = first.services.find((service) => service.name === 'aws')?.pid;
    if (brokerPid === undefined || emulatorPid === undefined)
      throw new Error('kafka/aws missing from up result');
    process.kill(brokerPid, 'SIGKILL');
    await until(() => !isAliveAndNotZombie(brokerPid), 'the broker to die');
    const crashedStatus = await localStackStatus(options);

    // Assess: reported as crashed, with its log; the emulator is untouched
    const kafkaStatus = crashedStatus.find((status) => status.name === 'kafka');
    expect(kafkaStatus?.state).toBe('crashed');
    expect(kafkaStatus?.pid).toBe(brokerPid);
    expect(kafkaStatus?.logTail).toContain('kafka.log');
    expect(crashedStatus.find((status) => status.name === 'aws')).toMatchObject({
      state: 'running',
      pid: emulatorPid,
    });

    // Act: up again restarts only the crashed broker
    const third = await upLocalStack(options);

    // Assess
    const restarted = third.services.find((service) => service.name === 'kafka');
    expect(restarted?.outcome).toBe('started');
    expect(restarted?.pid).not.toBe(brokerPid);
    expect(third.services.find((service) => service.name === 'aws')).toMatchObject({
      outcome: 'already-running',
      pid: emulatorPid,
    });

    // Act: down
    const down = await downLocalStack(options);

    // Assess: every recorded pid is gone, no process mentions the state dir, pid files are removed
    expect(
      down.services.filter((service) => service.pid !== undefined).map((service) => service.outcome),
    ).toEqual(third.services.map(() => 'stopped'));
    for (const service of third.services) expect(isAliveAndNotZombie(service.pid)).toBe(false);
    expect(processesMentioning(`${stateDir}/`)).toEqual([]);
    expect(readdirSync(path.join(stateDir, 'pids'))).toEqual([]);
    const stoppedStatus = await localStackStatus(options);
    expect(
      stoppedStatus.filter((status) => status.state !== 'disabled').map((status) => status.state),
    ).toEqual(third.services.map(() => 'stopped'));
  }, 180_000);
});
