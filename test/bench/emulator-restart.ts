/**
 * emulator-restart: how long the AWS emulator takes to be ready again with a large state (ADR 0041). One emulator,
 * launched as `up` launches it, on a private state dir and port: fill one table with BENCH_EMULATOR_ITEMS items
 * (default 300,000, a full universe's daily prices) through the DynamoDB API, then
 * - kill -9 right after the last write and start again: the state comes back from the last snapshot (folded by a
 *   forked child while filling) and the journal since then;
 * - write ITEMS_BEFORE_STOP more items and at once stop it as `down` does (SIGTERM: it folds what is left, for at
 *   most 6 s of its 10 s grace period, unless its last fold took longer), and start again: the usual restart, from
 *   the snapshot and whatever the stop did not fold (the requests applied are reported).
 * Besides the time to ready, the emulator's own restore time (its log) and an empty emulator's time to ready
 * (Python and moto loading) are reported, with the load average: on a loaded shared machine the ratios to the empty
 * start say more than the seconds.
 * Time to ready is from launch to the first answered request; the port opens only once the state is restored, so
 * it is the whole restore. Targets: ready in under 20 s on both paths, stopped within the grace period.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { resolveLocalStackOptions } from '../../localstack/stack/options.ts';
import {
  launchDetached,
  logFilePath,
  type ProcessRecord,
  pidFilePath,
  stopOwnedProcess,
} from '../../localstack/stack/processes.ts';
import { waitUntilReady } from '../../localstack/stack/readiness.ts';
import { type ServiceDefinition, serviceDefinitions } from '../../localstack/stack/services.ts';

const ITEMS = Number(process.env.BENCH_EMULATOR_ITEMS ?? 300_000);
const TABLE = 'bench-daily-prices';
const WRITERS = 4;
const ITEMS_BEFORE_STOP = 2_500;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function launch(definition: ServiceDefinition, stateDir: string) {
  const spec = await definition.prepare();
  const started = performance.now();
  const record = await launchDetached(spec, pidFilePath(stateDir, 'aws'));
  await waitUntilReady(definition.probe, { deadlineMs: 600_000, isAlive: () => true });
  return { record, readyMs: performance.now() - started };
}

async function createTable(client: DynamoDBClient): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [
        { AttributeName: 'symbol', KeyType: 'HASH' },
        { AttributeName: 'date', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'symbol', AttributeType: 'S' },
        { AttributeName: 'date', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

/** Items from..to-1, 25 to a BatchWriteItem request, WRITERS requests at a time. */
async function fill(client: DynamoDBClient, from: number, to: number): Promise<void> {
  const batches = Math.ceil((to - from) / 25);
  let next = 0;
  const writer = async () => {
    for (let batch = next++; batch < batches; batch = next++) {
      const first = from + batch * 25;
      const items = Array.from({ length: Math.min(25, to - first) }, (_, index) => {
        const n = first + index;
        // 40 years of trading days per symbol, as a full universe's history holds them.
        return {
          PutRequest: {
            Item: {
              symbol: { S: `S${Math.floor(n / 10_000)}` },
              date: { S: String(n % 10_000).padStart(5, '0') },
              open: { N: '101.25' },
              high: { N: '103.5' },
              low: { N: '100.75' },
              close: { N: '102.5' },
              volume: { N: String(1_000_000 + n) },
            },
          },
        };
      });
      await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: items } }));
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

async function countItems(client: DynamoDBClient): Promise<number> {
  let count = 0;
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: TABLE, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey as typeof start;
  } while (start);
  return count;
}

async function snapshotsWritten(logFile: string): Promise<number> {
  const text = existsSync(logFile) ? await readFile(logFile, 'utf8') : '';
  return (text.match(/snapshot written/g) ?? []).length;
}

/** The emulator's own restores, from its log: seconds and journaled requests applied. */
async function restores(logFile: string): Promise<Array<{ seconds: number; applied: number }>> {
  const text = await readFile(logFile, 'utf8');
  return [...text.matchAll(/restored in ([\d.]+) s \((\d+) journaled/g)].map((match) => ({
    seconds: Number(match[1]),
    applied: Number(match[2]),
  }));
}

/** Bytes of journal a restart would consider: the live journal and any set aside for a fold in progress. */
function journalBytes(serviceDir: string): number {
  return readdirSync(serviceDir)
    .filter((name) => name.startsWith('journal'))
    .reduce((sum, name) => sum + statSync(path.join(serviceDir, name)).size, 0);
}

const seconds = (ms: number) => Number((ms / 1000).toFixed(1));
const load = () => Number(loadavg()[0]?.toFixed(1));

export async function emulatorRestartBenchmark(): Promise<void> {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'horton-bench-emulator-'));
  const options = resolveLocalStackOptions({ stateDir, awsPort: await freePort(), simulator: false });
  const definition = serviceDefinitions(options).find((candidate) => candidate.name === 'aws');
  if (!definition) throw new Error('no aws service definition');
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${options.awsPort}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const logFile = logFilePath(stateDir, 'aws');
  let running: ProcessRecord | undefined;
  try {
    const empty = await launch(definition, stateDir);
    running = empty.record;
    const fillStarted = performance.now();
    await createTable(client);
    await fill(client, 0, ITEMS);
    const fillMs = performance.now() - fillStarted;
    const folds = await snapshotsWritten(logFile);
    const serviceDir = path.join(stateDir, 'aws');
    const journalAtKill = journalBytes(serviceDir);
    const loadAtKill = load();

    process.kill(running.pid, 'SIGKILL');
    await sleep(500);
    const fromJournal = await launch(definition, stateDir);
    running = fromJournal.record;
    const afterJournal = await countItems(client);
    // Writes just before the stop: folded by the stop itself.
    await fill(client, ITEMS, ITEMS + ITEMS_BEFORE_STOP);

    const stopStarted = performance.now();
    const stopOutcome = await stopOwnedProcess(running, stateDir, definition.stopGraceMs);
    const stopMs = performance.now() - stopStarted;
    running = undefined;
    const snapshotBytes = statSync(path.join(serviceDir, 'snapshot.pickle')).size;
    const loadAtRestart = load();
    const fromSnapshot = await launch(definition, stateDir);
    running = fromSnapshot.record;
    const afterSnapshot = await countItems(client);

    const [, afterKill, afterStop] = await restores(logFile);
    const ok =
      afterJournal === ITEMS &&
      afterSnapshot === ITEMS + ITEMS_BEFORE_STOP &&
      stopOutcome === 'stopped' &&
      fromSnapshot.readyMs < 20_000 &&
      fromJournal.readyMs < 20_000;
    process.stdout.write(
      `emulator-restart (${ITEMS} items in one table, filled in ${seconds(fillMs)} s, ${folds} folds while filling)\n` +
        `  empty emulator: ready in ${seconds(empty.readyMs)} s\n` +
        `  kill -9, restart from snapshot + journal (${(journalAtKill / 1e6).toFixed(1)} MB, load ${loadAtKill}): ready in ${seconds(fromJournal.readyMs)} s (restore ${afterKill?.seconds} s, ${afterKill?.applied} requests applied), ${afterJournal} items\n` +
        `  ${ITEMS_BEFORE_STOP} more items, then stop as down does: ${stopOutcome} in ${seconds(stopMs)} s (grace ${definition.stopGraceMs / 1000} s)\n` +
        `  restart from the snapshot (${(snapshotBytes / 1e6).toFixed(1)} MB, load ${loadAtRestart}): ready in ${seconds(fromSnapshot.readyMs)} s (restore ${afterStop?.seconds} s, ${afterStop?.applied} requests applied), ${afterSnapshot} items\n`,
    );
    process.stdout.write(
      `${JSON.stringify({
        benchmark: 'emulator-restart',
        items: ITEMS,
        fillS: seconds(fillMs),
        foldsWhileFilling: folds,
        journalAtKillMB: Number((journalAtKill / 1e6).toFixed(1)),
        snapshotMB: Number((snapshotBytes / 1e6).toFixed(1)),
        readyEmptyS: seconds(empty.readyMs),
        readyAfterKillS: seconds(fromJournal.readyMs),
        restoreAfterKillS: afterKill?.seconds,
        appliedAfterKill: afterKill?.applied,
        readyFromSnapshotS: seconds(fromSnapshot.readyMs),
        restoreFromSnapshotS: afterStop?.seconds,
        appliedFromSnapshot: afterStop?.applied,
        readyAfterKillPerEmpty: Number((fromJournal.readyMs / empty.readyMs).toFixed(1)),
        readyFromSnapshotPerEmpty: Number((fromSnapshot.readyMs / empty.readyMs).toFixed(1)),
        stop: stopOutcome,
        stopS: seconds(stopMs),
        itemsRestored: afterSnapshot,
        loadAverage: [loadAtKill, loadAtRestart],
        targetReadyS: 20,
        ok,
      })}\n`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    client.destroy();
    if (running) await stopOwnedProcess(running, stateDir, definition.stopGraceMs).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  }
}
