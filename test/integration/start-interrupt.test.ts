/**
 * Ctrl-C on a busy `npm start -- --serve`: the run stops taking records, waits a bounded, printed time for the
 * invocations in flight, commits what finished and exits; nothing is lost (what is not committed stays in the
 * topic). The run is `localstack/main.ts start` as npm starts it, on the test stack (already running, so it stays
 * up), with the free plan: the shared limiter spaces the quote calls 12 s apart, so a backlog keeps every quote
 * invocation busy for minutes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { consumerGroupId, resolveConfig, tableNames } from '../../model/config.ts';
import { testKafka } from '../support/kafka.ts';
import { produce } from '../support/runner-support.ts';

const stack = inject('localStackConfig');
const endpoints = inject('localStack');
const prefix = `int${randomBytes(4).toString('hex')}`;
const config = resolveConfig({ prefix, alphaVantage: { plan: 'free' }, universe: { watchlist: ['IBM'] } });
const BACKLOG = 300;
/** The bound for a Ctrl-C under a backlog; the run's own grace for in-flight work is 15 s of it. */
const EXIT_BOUND_MS = 30_000;

/** Distinct tickers AAA, AAB, ...: the simulator serves them once it serves any well-formed symbol. */
const symbol = (index: number) =>
  [2, 1, 0].map((power) => String.fromCharCode(65 + (Math.floor(index / 26 ** power) % 26))).join('');

let child: ChildProcess | undefined;
let output = '';
let workDir = '';

function serve(configFile: string): ChildProcess {
  const run = spawn(
    process.execPath,
    ['--import', 'tsx', 'localstack/main.ts', 'start', '--serve', '--config', configFile],
    {
      env: {
        ...process.env,
        HORTON_STATE_DIR: stack.stateDir,
        HORTON_CACHE_DIR: stack.cacheDir,
        HORTON_KAFKA_PORT: String(stack.kafkaPort),
        HORTON_KAFKA_CONTROLLER_PORT: String(stack.kafkaControllerPort),
        HORTON_AWS_PORT: String(stack.awsPort),
        HORTON_SIMULATOR_PORT: String(stack.simulatorPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  run.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  run.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return run;
}

async function until(predicate: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The test stack's simulator answers only its universe's symbols unless told to serve any well-formed one. */
async function simulatorServesAnySymbol(anySymbol: boolean): Promise<void> {
  const response = await fetch(`${endpoints.simulatorUrl}/__simulator/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ anySymbol }),
  });
  if (!response.ok) throw new Error(`simulator config: HTTP ${response.status} ${await response.text()}`);
}

/** Records of the quote topic the quote handler's group has not committed past. */
async function quoteLag(): Promise<number> {
  const admin = testKafka(endpoints.kafkaBrokers, 'interrupt-test-admin').admin();
  await admin.connect();
  try {
    const topic = config.topics.quote.name;
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: consumerGroupId(config, 'quote'), topics: [topic] }),
    ]);
    const position = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((lag, end) => {
      const from = position.get(end.partition) ?? -1;
      return lag + Number(end.high) - (from >= 0 ? from : Number(end.low));
    }, 0);
  } finally {
    await admin.disconnect();
  }
}

describe('Ctrl-C on a busy npm start -- --serve', () => {
  let exit: { code: number | null; afterMs: number } | undefined;

  beforeAll(async () => {
    await simulatorServesAnySymbol(true);
    workDir = await mkdtemp(path.join(tmpdir(), 'horton-interrupt-'));
    const configFile = path.join(workDir, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({ prefix, alphaVantage: { plan: 'free' }, universe: { watchlist: ['IBM'] } }),
    );
    child = serve(configFile);
    await until(() => output.includes('Serving:'), 'the pipeline to serve', 120_000);
    const issuedAt = new Date().toISOString();
    await produce(
      endpoints.kafkaBrokers,
      config.topics.quote.name,
      Array.from({ length: BACKLOG }, (_, index) => ({
        key: symbol(index),
        partition: index % config.topics.quote.partitions,
        value: JSON.stringify({
          type: 'collect-quote',
          v: 1,
          commandId: `interrupt-${prefix}-${index}`,
          correlationId: 'interrupt-test',
          issuedAt,
          symbol: symbol(index),
        }),
      })),
    );
    // Long enough for the quote handler to take its first batches and wait for limiter slots.
    await new Promise((resolve) => setTimeout(resolve, 8_000));

    const running = child;
    const signalledAt = Date.now();
    const exited = new Promise<{ code: number | null; afterMs: number }>((resolve) =>
      running.once('exit', (code) => resolve({ code, afterMs: Date.now() - signalledAt })),
    );
    running.kill('SIGINT');
    // Far beyond the bound: a run that overstays it is reported, not waited for until the test times out.
    const overstayed = new Promise<undefined>((resolve) =>
      setTimeout(() => resolve(undefined), 4 * EXIT_BOUND_MS),
    );
    exit = await Promise.race([exited, overstayed]);
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await simulatorServesAnySymbol(false);
    await rm(workDir, { recursive: true, force: true });
  });

  it(`exits within ${EXIT_BOUND_MS / 1000} s, having said what it waited for`, () => {
    expect(exit, output).toBeDefined();
    expect(exit?.code, output).toBe(0);
    expect(exit?.afterMs, output).toBeLessThan(EXIT_BOUND_MS);
    expect(output).toMatch(
      /Stopping: no new records; waiting up to 15 s for the invocations in flight \(.*quote.*\)/,
    );
    expect(output).toMatch(/finished and committed in|Still running after/);
  });

  it('loses nothing: what it did not store is still in the topic, uncommitted', async () => {
    const lag = await quoteLag();
    expect(lag).toBeGreaterThan(0);
    expect(lag).toBeLessThanOrEqual(BACKLOG + BACKLOG);
    // Every command is stored or still waiting (a record handed back is waiting as its copy).
    const dynamo = new DynamoDBClient({
      endpoint: endpoints.awsEndpoint,
      region: endpoints.awsRegion,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const stored = await dynamo.send(
      new ScanCommand({ TableName: tableNames(config).quotes, Select: 'COUNT' }),
    );
    expect((stored.Count ?? 0) + lag).toBeGreaterThanOrEqual(BACKLOG);
  });
});
