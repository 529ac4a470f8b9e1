/**
 * emulator-restart: how long the AWS emulator takes to be ready again with a large state (ADR 0041). One emulator,
 * launched as `up` launches it, on a private state dir and port: fill one table with BENCH_EMULATOR_ITEMS items
 * (default 300,000, a full universe's daily prices) through the DynamoDB API, then
 * - kill -9 and start again: the state comes back from the last snapshot (written while filling) and the journal
 *   since then;
 * - stop it as `down` does (SIGTERM, grace period) once that journal is folded into a snapshot, and start again:
 *   the usual restart, from the snapshot alone.
 * Besides the time to ready, the emulator's own restore time (its log) and an empty emulator's time to ready
 * (Python and moto loading) are reported: on a loaded shared machine the ratios say more than the seconds.
 * Time to ready is from launch to the first answered request; the port opens only once the state is restored, so
 * it is the whole restore. Target: ready in under 20 s from the snapshot, stopped within the grace period.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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

async function fill(client: DynamoDBClient): Promise<void> {
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
  const batches = Math.ceil(ITEMS / 25);
  let next = 0;
  const writer = async () => {
    for (let batch = next++; batch < batches; batch = next++) {
      const items = Array.from({ length: Math.min(25, ITEMS - batch * 25) }, (_, index) => {
        const n = batch * 25 + index;
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

/** Waits until the emulator has folded its journal into a snapshot `times` times in all (its log says so). */
async function snapshotWritten(logFile: string, times: number): Promise<void> {
  while ((await snapshotsWritten(logFile)) < times) await sleep(500);
}

/** The emulator's own restore times, from its log, in seconds. */
async function restoreTimes(logFile: string): Promise<number[]> {
  const text = await readFile(logFile, 'utf8');
  return [...text.matchAll(/restored in ([\d.]+) s/g)].map((match) => Number(match[1]));
}

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
    await fill(client);
    const fillMs = performance.now() - fillStarted;
    const serviceDir = path.join(stateDir, 'aws');
    const journalBytes = statSync(path.join(serviceDir, 'journal.jsonl')).size;
    const folds = await snapshotsWritten(logFile);

    process.kill(running.pid, 'SIGKILL');
    await sleep(500);
    const fromJournal = await launch(definition, stateDir);
    running = fromJournal.record;
    await snapshotWritten(logFile, folds + 1);
    const afterJournal = await countItems(client);

    const stopStarted = performance.now();
    const stopOutcome = await stopOwnedProcess(running, stateDir, definition.stopGraceMs);
    const stopMs = performance.now() - stopStarted;
    running = undefined;
    const snapshotBytes = statSync(path.join(serviceDir, 'snapshot.pickle')).size;
    const fromSnapshot = await launch(definition, stateDir);
    running = fromSnapshot.record;
    const afterSnapshot = await countItems(client);

    const [, restoreAfterKill, restoreFromSnapshot] = await restoreTimes(logFile);
    const ok =
      afterJournal === ITEMS &&
      afterSnapshot === ITEMS &&
      stopOutcome === 'stopped' &&
      fromSnapshot.readyMs < 20_000;
    process.stdout.write(
      `emulator-restart (${ITEMS} items in one table, filled in ${(fillMs / 1000).toFixed(1)} s)\n` +
        `  empty emulator: ready in ${(empty.readyMs / 1000).toFixed(1)} s\n` +
        `  kill -9, restart from snapshot + journal (${(journalBytes / 1e6).toFixed(1)} MB): ready in ${(fromJournal.readyMs / 1000).toFixed(1)} s (restore ${restoreAfterKill} s), ${afterJournal} items\n` +
        `  stop as down does: ${stopOutcome} in ${(stopMs / 1000).toFixed(1)} s (grace ${definition.stopGraceMs / 1000} s)\n` +
        `  restart from the snapshot (${(snapshotBytes / 1e6).toFixed(1)} MB): ready in ${(fromSnapshot.readyMs / 1000).toFixed(1)} s (restore ${restoreFromSnapshot} s), ${afterSnapshot} items\n`,
    );
    process.stdout.write(
      `${JSON.stringify({
        benchmark: 'emulator-restart',
        items: ITEMS,
        journalAtKillMB: Number((journalBytes / 1e6).toFixed(1)),
        snapshotMB: Number((snapshotBytes / 1e6).toFixed(1)),
        readyEmptyS: Number((empty.readyMs / 1000).toFixed(1)),
        readyAfterKillS: Number((fromJournal.readyMs / 1000).toFixed(1)),
        restoreAfterKillS: restoreAfterKill,
        readyFromSnapshotS: Number((fromSnapshot.readyMs / 1000).toFixed(1)),
        restoreFromSnapshotS: restoreFromSnapshot,
        stop: stopOutcome,
        stopS: Number((stopMs / 1000).toFixed(1)),
        itemsRestored: afterSnapshot,
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
