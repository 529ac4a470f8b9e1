/**
 * `npm run chaos`: the reliability suite (not part of `npm test`). On a private local stack (own state dir, free
 * ports), with the real broker and emulator, the real handlers in a pipeline process of their own, and in-process
 * AlphaVantage simulators with a pinned clock:
 *
 * 1. clean: one collection cycle, no faults: the reference DynamoDB state and dead letters.
 * 2. faults: the same cycle (another prefix) under AlphaVantage faults (10 % 5xx, 5 % timeouts, 5 % limit answers
 *    as from another client on the same key, 1 % malformed JSON, 1 % `{}`), while the pipeline process is killed
 *    with SIGKILL twice and the broker once; each is started again. Final market data must equal the clean run's
 *    item for item, and the dead-letter topic must hold nothing the clean run's does not. `--fault-runs N`
 *    repeats this stage with other fault seeds.
 * 3. fuzz: 10,000 records over every handler topic (fast-check; poison of many kinds plus a few valid commands):
 *    the pipeline process never crashes, every poison record is dead-lettered exactly once, nothing is stored
 *    from it.
 *
 * Ends with one JSON line of figures; exit code 0 when every check holds.
 *   npm run chaos [-- --fuzz-records 10000] [--fault-runs 1]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import { localDynamoDbClient } from '../../localstack/aws-resources.ts';
import { ensureTopics } from '../../localstack/runner/topics.ts';
import { type AlphaVantageSimulator, createAlphaVantageSimulator } from '../../localstack/simulator/index.ts';
import {
  downLocalStack,
  type LocalStackOptions,
  localStackEndpoints,
  localStackStatus,
  upLocalStack,
} from '../../localstack/stack/index.ts';
import { type HortonConfigInput, resolveConfig, type TableRole, tableNames } from '../../model/config.ts';
import { scanItems } from '../support/e2e-harness.ts';
import { upOnFreePorts } from '../support/global-setup.ts';
import { readTopic } from '../support/kafka.ts';
import type { PipelineProcessInput } from './pipeline-process.ts';

// The AWS SDK warns on Node 20 about its 2027 releases (Lambda runs Node 22); the pipeline processes inherit this.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values: flags } = parseArgs({
  options: {
    'fuzz-records': { type: 'string', default: '10000' },
    'fault-runs': { type: 'string', default: '1' },
  },
  strict: true,
});
const FUZZ_RECORDS = Number(flags['fuzz-records']);
const FAULT_RUNS = Number(flags['fault-runs']);
if (!Number.isInteger(FUZZ_RECORDS) || FUZZ_RECORDS < 1 || !Number.isInteger(FAULT_RUNS) || FAULT_RUNS < 1) {
  process.stderr.write('chaos: --fuzz-records and --fault-runs take positive whole numbers\n');
  process.exit(2);
}
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SIMULATOR_NOW = '2026-05-15T21:00:00Z';
const WATCHLIST = ['IBM', 'MSFT', 'AAPL', 'UNKNOWN'];
const CYCLE_TIMEOUT_MS = 600_000;
const runId = randomBytes(3).toString('hex');
const log = (message: string) => process.stderr.write(`chaos: ${message}\n`);

type Item = Record<string, unknown>;

function configFor(name: string, simulator: AlphaVantageSimulator): HortonConfigInput {
  return {
    prefix: `ch${name}${runId}`,
    alphaVantage: { plan: 'premium75', baseUrl: simulator.url, timeoutMs: 1_000, maxAttempts: 2 },
    universe: { watchlist: WATCHLIST },
    // Retries are how faults are survived; the budget is about converging, not about the odds of a streak.
    consumers: { retryAttempts: 20 },
  };
}

function startPipelineProcess(input: PipelineProcessInput): ChildProcess & { done: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test/chaos/pipeline-process.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, CHAOS_PIPELINE: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  const done = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code === 0) log(`pipeline process ${child.pid} done: ${output.trim()}`);
      resolve(code);
    }),
  );
  return Object.assign(child, { done });
}

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The AlphaVantage budget's own bookkeeping (calls counted today, the pacing instant): it differs between the runs
 * by design, since every retry under faults spends a call. Reported as a figure, not compared.
 */
const BOOKKEEPING_TABLE: TableRole = 'alphaVantageQuota';

/** Every market-data table's items, keyed and sorted, for an item-for-item comparison across prefixes. */
async function tableContents(doc: DynamoDBDocumentClient, prefix: string) {
  const names = tableNames(resolveConfig({ prefix }));
  const result: Record<string, Item[]> = {};
  for (const role of Object.keys(names) as TableRole[]) {
    if (role === BOOKKEEPING_TABLE) continue;
    const items = await scanItems<Item>(doc, names[role]);
    result[role] = items
      .map((item) => normalise(item, prefix))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return result;
}

/** The prefix appears in ids and names; everything else must match exactly. */
function normalise(item: Item, prefix: string): Item {
  return JSON.parse(JSON.stringify(item).replaceAll(prefix, '<prefix>')) as Item;
}

async function deadLetterSummary(kafka: Kafka, prefix: string): Promise<string[]> {
  const records = await readTopic(kafka, `${prefix}.dead-letter`, 60_000);
  return records
    .map((record) => {
      const letter = JSON.parse(record.value?.toString('utf8') ?? 'null');
      const command = letter.originalValue
        ? JSON.parse(Buffer.from(letter.originalValue, 'base64').toString('utf8'))
        : {};
      const indicator = command.indicator ? ` ${JSON.stringify(command.indicator)}` : '';
      return `${String(letter.handler).replace(prefix, '<prefix>')} ${command.symbol}${indicator}: ${letter.reason.code}`;
    })
    .sort();
}

function diff(clean: Record<string, Item[]>, chaos: Record<string, Item[]>): string[] {
  const problems: string[] = [];
  for (const table of Object.keys(clean)) {
    const a = (clean[table] ?? []).map((item) => JSON.stringify(item));
    const b = new Set((chaos[table] ?? []).map((item) => JSON.stringify(item)));
    const missing = a.filter((item) => !b.has(item));
    const extra = [...b].filter((item) => !a.includes(item));
    for (const item of missing.slice(0, 3)) problems.push(`${table}: clean has ${item.slice(0, 300)}`);
    for (const item of extra.slice(0, 3)) problems.push(`${table}: chaos has ${item.slice(0, 300)}`);
    if (missing.length + extra.length > 6)
      problems.push(`${table}: ${missing.length} missing, ${extra.length} extra in all`);
  }
  return problems;
}

interface Run {
  stack: LocalStackOptions;
  base: Omit<PipelineProcessInput, 'mode' | 'config'>;
  doc: DynamoDBDocumentClient;
  kafka: Kafka;
  /** Data answers the clean cycle needed: a cycle that converges needs at least as many (each is stored once). */
  cleanDataAnswers: number;
  cleanTables: Record<string, Item[]>;
  cleanLetters: string[];
}

/**
 * One cycle under AlphaVantage faults (seeded) while the pipeline process is killed twice and the broker once;
 * its final state is compared with the clean run's. Returns its checks and figures.
 */
async function faultRun(run: Run, index: number) {
  const seed = 11 + index;
  const simulator = await createAlphaVantageSimulator({
    now: SIMULATOR_NOW,
    plan: 'premium75',
    faults: [
      { mode: 'http-error', probability: 0.1, status: 503 },
      { mode: 'timeout', probability: 0.05 },
      { mode: 'limit', probability: 0.05 },
      { mode: 'malformed-json', probability: 0.01 },
      { mode: 'empty-json', probability: 0.01 },
    ],
    faultSeed: seed,
  });
  const checks: Record<string, boolean> = {};
  const figures: Record<string, unknown> = { seed };
  try {
    const config = configFor(`fault${index}`, simulator);
    const started = Date.now();
    const planned = { pipeline: 2, broker: 1 };
    const kills = { pipeline: 0, broker: 0 };
    const dataAnswers = () => simulator.stats().requests.byOutcome.data;
    const { base, stack, cleanDataAnswers } = run;
    // The faults are planned at fractions of the clean cycle's data answers, which a converging cycle cannot finish
    // without: each happens while the cycle still has work. Should the cycle finish first anyway, the skipped fault
    // is said here and fails the run (killsHappened), so the summary never claims faults that did not happen.
    const at = (fraction: number) => Math.max(1, Math.round(cleanDataAnswers * fraction));
    const skipped = (what: string, answers: number) =>
      log(
        `run ${index}: planned ${what} at ${answers} data answers NOT done: the cycle finished after ${dataAnswers()}`,
      );
    let child = startPipelineProcess({ ...base, mode: 'cycle', config });
    const killPipelineAt = async (answers: number) => {
      await until(
        async () => dataAnswers() >= answers || (await isDone(child)),
        `${answers} answers`,
        600_000,
      );
      if (await isDone(child)) return skipped('pipeline kill', answers);
      process.kill(child.pid as number, 'SIGKILL');
      await child.done;
      kills.pipeline += 1;
      log(
        `run ${index}: killed the pipeline process (SIGKILL) after ${dataAnswers()} data answers; starting it again`,
      );
      child = startPipelineProcess({ ...base, mode: 'cycle', config });
    };
    await killPipelineAt(at(0.2));
    await until(async () => dataAnswers() >= at(0.45) || (await isDone(child)), 'answers', 600_000);
    const broker = (await localStackStatus(stack)).find((service) => service.name === 'kafka');
    if (await isDone(child)) skipped('broker kill', at(0.45));
    else if (!broker?.pid) log(`run ${index}: planned broker kill NOT done: no broker pid`);
    else {
      process.kill(broker.pid, 'SIGKILL');
      kills.broker += 1;
      log(
        `run ${index}: killed the broker (SIGKILL, pid ${broker.pid}) after ${dataAnswers()} data answers; up again`,
      );
      await until(
        async () => (await localStackStatus(stack)).find((s) => s.name === 'kafka')?.state === 'crashed',
        'the broker to die',
        30_000,
      );
      await upLocalStack(stack);
    }
    await killPipelineAt(at(0.7));
    // A pipeline process that exits on its own (not killed by us) is a crash: counted, and started again so the
    // run still shows whether the data converges.
    let crashes = 0;
    for (;;) {
      const exit = await Promise.race([
        child.done,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), CYCLE_TIMEOUT_MS)),
      ]);
      if (exit === 0) break;
      if (exit === 'timeout') child.kill('SIGKILL');
      crashes += 1;
      log(`run ${index}: the pipeline process exited with ${exit} (crash ${crashes}); starting it again`);
      if (exit === 'timeout' || crashes >= 5) throw new Error(`the chaos cycle did not finish (${exit})`);
      child = startPipelineProcess({ ...base, mode: 'cycle', config });
    }
    checks.pipelineNeverCrashed = crashes === 0;
    checks.killsHappened = kills.pipeline === planned.pipeline && kills.broker === planned.broker;
    const stats = simulator.stats().requests;
    Object.assign(figures, {
      cycleSeconds: (Date.now() - started) / 1000,
      pipelineCrashes: crashes,
      kills,
      plannedKills: planned,
      requests: stats.total,
      dataAnswers: dataAnswers(),
      faults: stats.faultsByMode,
      limitAnswers: stats.limited,
    });

    const problems = diff(run.cleanTables, await tableContents(run.doc, config.prefix as string));
    for (const problem of problems.slice(0, 20)) log(`run ${index}: DIFF ${problem}`);
    checks.stateEqualsClean = problems.length === 0;
    const letters = await deadLetterSummary(run.kafka, config.prefix as string);
    const unexpected = letters.filter((letter) => !run.cleanLetters.includes(letter));
    for (const letter of unexpected.slice(0, 10)) log(`run ${index}: UNEXPECTED DEAD LETTER ${letter}`);
    // The same record dead-lettered again: a process killed after its dead letter went out and before the offset
    // was committed re-delivers the record (at-least-once, as the real event source mapping does).
    const repeated = letters.filter((letter, position) => letters.indexOf(letter) !== position);
    for (const letter of repeated.slice(0, 10)) log(`run ${index}: REPEATED DEAD LETTER ${letter}`);
    figures.deadLetters = { total: letters.length, unexpected: unexpected.length, repeated: repeated.length };
    checks.noUnexpectedDeadLetters = unexpected.length === 0;
    log(`run ${index}: ${JSON.stringify({ checks, ...figures })}`);
  } finally {
    await simulator.close();
  }
  return { checks, figures };
}

async function main(): Promise<boolean> {
  const started = Date.now();
  const hortonDir = path.join(ROOT, '.horton');
  const { options, result } = await upOnFreePorts({
    stateDir: path.join(hortonDir, `chaos-${process.pid}`),
    simulator: false,
    log: () => undefined,
  });
  const stack: LocalStackOptions = options;
  log(`stack up in ${(result.totalMs / 1000).toFixed(1)} s (${stack.stateDir})`);
  const { kafkaBrokers: brokers, awsEndpoint, awsRegion } = localStackEndpoints(stack);
  const doc = DynamoDBDocumentClient.from(localDynamoDbClient({ endpoint: awsEndpoint, region: awsRegion }));
  const kafka = new Kafka({ clientId: 'horton-chaos', brokers, logLevel: logLevel.NOTHING });
  const cleanSimulator = await createAlphaVantageSimulator({ now: SIMULATOR_NOW });
  const base = { brokers, awsEndpoint, awsRegion, firedAt: SIMULATOR_NOW, timeoutMs: CYCLE_TIMEOUT_MS };
  const checks: Record<string, boolean> = {};
  const figures: Record<string, unknown> = {};
  try {
    // 1. clean reference
    const cleanConfig = configFor('clean', cleanSimulator);
    const cleanStarted = Date.now();
    const clean = startPipelineProcess({ ...base, mode: 'cycle', config: cleanConfig });
    if ((await clean.done) !== 0) throw new Error('the clean cycle failed');
    const cleanRequests = cleanSimulator.stats().requests.total;
    const cleanDataAnswers = cleanSimulator.stats().requests.byOutcome.data;
    const cleanTables = await tableContents(doc, cleanConfig.prefix as string);
    const items = Object.values(cleanTables).reduce((sum, list) => sum + list.length, 0);
    const cleanLetters = await deadLetterSummary(kafka, cleanConfig.prefix as string);
    figures.clean = {
      cycleSeconds: (Date.now() - cleanStarted) / 1000,
      requests: cleanRequests,
      dataAnswers: cleanDataAnswers,
      items,
      deadLetters: cleanLetters.length,
    };
    checks.cleanStoredData = items > 0;
    log(`clean: ${JSON.stringify(figures.clean)}`);

    // 2. the same cycle under faults and kills, FAULT_RUNS times with other seeds
    const run: Run = { stack, base, doc, kafka, cleanDataAnswers, cleanTables, cleanLetters };
    const runs: Array<Record<string, unknown>> = [];
    for (let index = 0; index < FAULT_RUNS; index += 1) {
      const outcome = await faultRun(run, index);
      for (const [name, passed] of Object.entries(outcome.checks)) {
        checks[name] = (checks[name] ?? true) && passed;
      }
      runs.push({ ...outcome.figures, passed: Object.values(outcome.checks).every(Boolean) });
    }
    figures.faultRuns = runs;

    // 3. fuzz
    Object.assign(figures, await fuzz({ base, brokers, doc, kafka, simulator: cleanSimulator, checks }));
  } finally {
    await cleanSimulator.close();
    doc.destroy();
    await downLocalStack(stack);
    await rm(stack.stateDir, { recursive: true, force: true });
  }
  const passed = Object.values(checks).every(Boolean);
  process.stdout.write(
    `${JSON.stringify({ suite: 'chaos', passed, checks, ...figures, totalSeconds: (Date.now() - started) / 1000 })}\n`,
  );
  return passed;
}

async function isDone(child: ChildProcess): Promise<boolean> {
  return child.exitCode !== null || child.signalCode !== null;
}

const FUZZ_SYMBOLS = ['IBM', 'MSFT'];

async function fuzz(input: {
  base: Omit<PipelineProcessInput, 'mode' | 'config'>;
  brokers: string[];
  doc: DynamoDBDocumentClient;
  kafka: Kafka;
  simulator: AlphaVantageSimulator;
  checks: Record<string, boolean>;
}) {
  const configInput = configFor('fuzz', input.simulator);
  const config = resolveConfig(configInput);
  await ensureTopics(input.brokers, config);
  const roles = ['securities', 'overview', 'history', 'quote', 'indicators'] as const;
  const valid = (role: (typeof roles)[number], index: number) => {
    const symbol = FUZZ_SYMBOLS[Math.floor(index / 100) % FUZZ_SYMBOLS.length] as string;
    const envelope = {
      v: 1,
      commandId: `fuzz-valid-${index}`,
      correlationId: 'fuzz',
      issuedAt: SIMULATOR_NOW,
    };
    return role === 'overview'
      ? { ...envelope, type: 'collect-overview', symbol }
      : role === 'quote'
        ? { ...envelope, type: 'collect-quote', symbol }
        : undefined;
  };
  // Poison: anything the topic's contract rejects. Every kind carries a marker so it can never be a valid command.
  const poison = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.jsonValue().map((value) => Buffer.from(JSON.stringify({ fuzz: value }))),
    fc.string().map((text) => Buffer.from(`{"v":1,"type":${JSON.stringify(text)}`)),
    fc
      .record({
        v: fc.oneof(fc.constant(2), fc.constant('1'), fc.constant(null)),
        type: fc.constantFrom(
          'collect-quote',
          'collect-overview',
          'collect-history',
          'collect-indicator',
          'collect-universe',
        ),
        commandId: fc.string({ maxLength: 4 }),
        symbol: fc.oneof(fc.constant('A..B'), fc.constant(''), fc.constant('ibm'), fc.string()),
      })
      .map((value) => Buffer.from(JSON.stringify(value))),
  );
  const samples = fc.sample(poison, { numRuns: FUZZ_RECORDS, seed: 42 });
  const producer = input.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let validCount = 0;
  const poisonCount = { total: 0 };
  for (let start = 0; start < samples.length; start += 500) {
    const byTopic = new Map<string, Array<{ key: string; value: Buffer }>>();
    for (let index = start; index < Math.min(start + 500, samples.length); index += 1) {
      const role = roles[index % roles.length] as (typeof roles)[number];
      const topic = config.topics[role].name;
      const command = index % 100 === 1 || index % 100 === 3 ? valid(role, index) : undefined;
      const list = byTopic.get(topic) ?? [];
      if (command) {
        validCount += 1;
        list.push({ key: command.symbol, value: Buffer.from(JSON.stringify(command)) });
      } else {
        poisonCount.total += 1;
        list.push({ key: `k${index % 7}`, value: samples[index] as Buffer });
      }
      byTopic.set(topic, list);
    }
    await producer.sendBatch({
      topicMessages: [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages })),
    });
  }
  await producer.disconnect();
  const fuzzStarted = Date.now();
  const child = startPipelineProcess({ ...input.base, mode: 'drain', config: configInput });
  const exit = await child.done;
  const fuzzSeconds = (Date.now() - fuzzStarted) / 1000;
  input.checks.fuzzNoCrash = exit === 0;
  const letters = (await readTopic(input.kafka, config.topics.deadLetter.name, 120_000)).map((record) =>
    JSON.parse(record.value?.toString('utf8') ?? 'null'),
  );
  const sources = letters.map(
    (letter) => `${letter.source.topic}/${letter.source.partition}/${letter.source.offset}`,
  );
  const once = new Set(sources);
  input.checks.fuzzEveryPoisonDeadLetteredOnce =
    sources.length === poisonCount.total && once.size === sources.length;
  const stored = await tableContents(input.doc, config.prefix);
  // Every market-data item is keyed by symbol: a poison record that got stored would show up as another symbol.
  const storedSymbols = new Set(
    Object.values(stored)
      .flat()
      .map((item) => String(item.symbol)),
  );
  input.checks.fuzzNothingStoredFromPoison = [...storedSymbols].every((symbol) =>
    FUZZ_SYMBOLS.includes(symbol),
  );
  return {
    fuzz: {
      records: samples.length,
      poison: poisonCount.total,
      valid: validCount,
      deadLetters: sources.length,
      distinctSources: once.size,
      storedSymbols: [...storedSymbols].sort(),
      seconds: fuzzSeconds,
      recordsPerSecond: Math.round(samples.length / fuzzSeconds),
    },
  };
}

main().then(
  (passed) => process.exit(passed ? 0 : 1),
  (error: unknown) => {
    process.stderr.write(
      `chaos: failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
    );
    process.exit(1);
  },
);
