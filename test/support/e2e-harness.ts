/**
 * End-to-end harness: the REAL pipeline (the handlers under functions/, the local event source mappings and
 * scheduler of localstack/runner/) against the real Kafka broker and the real AWS emulator of the integration
 * project's local stack, with only AlphaVantage simulated, in-process, so each test file controls its clock,
 * faults and quotas and can compute expected values from the same generators.
 *
 * Handler modules read their environment once, at import, and ES modules are cached per vitest worker: each
 * test file therefore starts ONE environment (beforeAll) with its own resource prefix, and a restart must use
 * the very same configuration (the cached handlers keep the settings of the first import).
 */
import { randomBytes } from 'node:crypto';
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ScanCommand as DocScanCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { ensureTables, LOCAL_CREDENTIALS, localAwsEnvironment } from '../../localstack/aws-resources.ts';
import { type CycleResult, runPlannedCycle } from '../../localstack/cycle.ts';
import type { RetryBackoff } from '../../localstack/runner/event-source-mapping.ts';
import type { RunnerLogger } from '../../localstack/runner/partition-worker.ts';
import { type Pipeline, startPipeline } from '../../localstack/runner/pipeline.ts';
import {
  type AlphaVantageSimulator,
  type AlphaVantageSimulatorOptions,
  createAlphaVantageSimulator,
} from '../../localstack/simulator/index.ts';
import type { LocalStackEndpoints } from '../../localstack/stack/index.ts';
import {
  consumerGroupId,
  type HortonConfig,
  type HortonConfigInput,
  resolveConfig,
  type TableRole,
  type TopicRole,
} from '../../model/config.ts';
import type { HandlerName } from '../../model/handlers.ts';
import { LOCAL_API_KEY_VARIABLE } from '../../model/settings.ts';
import { testKafka } from './kafka.ts';

/** The key the handlers send; the simulator accepts any non-empty key. Never a real one. */
export const E2E_API_KEY = 'horton-e2e-key';

/** Topic roles a handler consumes (every role but the dead-letter topic). */
export const COMMAND_ROLES = ['securities', 'overview', 'history', 'quote', 'indicators'] as const;
export type CommandRole = (typeof COMMAND_ROLES)[number];

export interface E2eOptions {
  endpoints: LocalStackEndpoints;
  /** Short name of the test file (letters/digits); becomes part of the unique resource prefix. */
  name: string;
  /** Configuration overrides; prefix, topics and the AlphaVantage base URL are set by the harness. */
  config?: Omit<HortonConfigInput, 'prefix' | 'topics'>;
  /** Partitions per topic role (defaults: the configuration's). */
  partitions?: Partial<Record<TopicRole, number>>;
  simulator?: AlphaVantageSimulatorOptions;
  /** Where the handlers find AlphaVantage instead of the simulator (e.g. a port nobody listens on). */
  alphaVantageBaseUrl?: string;
  /** Handlers to run. @default every kafka- or schedule-triggered handler */
  include?: readonly HandlerName[];
  retryBackoff?: Partial<RetryBackoff>;
  /** Function timeout of the local event source mappings. @default 300 */
  timeoutSeconds?: number;
  /**
   * POWERTOOLS_LOG_LEVEL of the handlers. @default HORTON_E2E_LOG_LEVEL, else SILENT (their logs are noise
   * here; HORTON_E2E_LOG_LEVEL=INFO shows them when debugging)
   */
  handlerLogLevel?: string;
  /** The dispatcher's clock: the `issuedAt` of the commands it issues. @default the wall clock */
  schedulerClock?: () => number;
}

/** A runner log line, kept for diagnostics and for assertions on what the mappings did. */
export interface RunnerLogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown> | undefined;
}

export interface E2eEnvironment {
  config: HortonConfig;
  simulator: AlphaVantageSimulator;
  /** The running pipeline (replaced by `restart`). */
  pipeline: Pipeline;
  tables: Record<TableRole, string>;
  brokers: string[];
  doc: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  kafka: Kafka;
  runnerLog: RunnerLogLine[];
  /**
   * Stops the pipeline, runs `whileStopped` (e.g. moving consumer-group offsets, which needs groups without
   * members) and starts it again with the same options: same groups, same (cached) handlers.
   */
  restart(whileStopped?: () => Promise<void>): Promise<Pipeline>;
  /** Stops the pipeline, closes the simulator and the clients. Safe to call twice. */
  stop(): Promise<void>;
}

function uniquePrefix(name: string): string {
  const prefix = `e2e${name}-${randomBytes(3).toString('hex')}`.toLowerCase();
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(prefix)) throw new Error(`test name "${name}" makes a bad prefix`);
  return prefix;
}

export async function startE2e(options: E2eOptions): Promise<E2eEnvironment> {
  const { endpoints } = options;
  const prefix = uniquePrefix(options.name);
  const simulator = await createAlphaVantageSimulator({ port: 0, ...options.simulator });
  // Topic names follow the prefix (`<prefix>.<role>`); partitions as configured by default unless overridden.
  const topic = (role: TopicRole, fallback: number) => ({
    partitions: options.partitions?.[role] ?? fallback,
  });
  const overrides = options.config ?? {};
  const config = resolveConfig({
    // The suites count AlphaVantage requests per indicator: fetched unless a suite configures its indicators.
    indicators: resolveConfig({}).indicators.map((indicator) => ({ ...indicator, source: 'alphavantage' })),
    ...overrides,
    prefix,
    // The simulator enforces each test's quotas; the limiter's own budget stays far above them unless a test
    // sets it, so a test meets exactly the limits it configured.
    alphaVantage: {
      plan: 'premium75',
      requestsPerMinute: 6_000,
      requestsPerDay: null,
      ...overrides.alphaVantage,
      baseUrl: options.alphaVantageBaseUrl ?? simulator.url,
    },
    topics: {
      securities: topic('securities', 1),
      overview: topic('overview', 3),
      history: topic('history', 3),
      quote: topic('quote', 3),
      indicators: topic('indicators', 3),
      deadLetter: topic('deadLetter', 1),
    },
  });
  const target = { endpoint: endpoints.awsEndpoint, region: endpoints.awsRegion };
  const raw = new DynamoDBClient({ ...target, credentials: LOCAL_CREDENTIALS });
  const doc = DynamoDBDocumentClient.from(raw);
  const kafka = testKafka(endpoints.kafkaBrokers, `${prefix}-test`);
  const runnerLog: RunnerLogLine[] = [];
  const verbose = process.env.HORTON_E2E_VERBOSE === '1';
  const record = (level: RunnerLogLine['level']) => (message: string, extra?: Record<string, unknown>) => {
    runnerLog.push({ level, message, extra });
    if (verbose && level !== 'info')
      process.stderr.write(`[${prefix}] ${level} ${message} ${JSON.stringify(extra)}\n`);
  };
  const log: RunnerLogger = { info: record('info'), warn: record('warn'), error: record('error') };

  const pipelineOptions: Parameters<typeof startPipeline>[0] = {
    config,
    brokers: endpoints.kafkaBrokers,
    env: {
      ...localAwsEnvironment(target),
      [LOCAL_API_KEY_VARIABLE]: E2E_API_KEY,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.handlerLogLevel ?? process.env.HORTON_E2E_LOG_LEVEL ?? 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '1',
    },
    ...(options.include ? { include: options.include } : {}),
    mappings: {
      retryBackoff: { initialMs: 100, maxMs: 1_000, ...options.retryBackoff },
      ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
    },
    log,
    ...(options.schedulerClock ? { scheduler: { clock: options.schedulerClock } } : {}),
  };

  let tables: Record<TableRole, string>;
  let pipeline: Pipeline;
  try {
    tables = await ensureTables(config, target);
    pipeline = await startPipeline(pipelineOptions);
  } catch (error) {
    await simulator.close();
    raw.destroy();
    throw error;
  }

  let stopped = false;
  const environment: E2eEnvironment = {
    config,
    simulator,
    pipeline,
    tables,
    brokers: endpoints.kafkaBrokers,
    doc,
    raw,
    kafka,
    runnerLog,
    restart: async (whileStopped) => {
      await environment.pipeline.stop();
      await whileStopped?.();
      environment.pipeline = await startPipeline(pipelineOptions);
      return environment.pipeline;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await environment.pipeline.stop();
      } finally {
        await simulator.close();
        raw.destroy();
      }
    },
  };
  return environment;
}

/**
 * Fires one full collection cycle as `npm start` does: the universe first, then every dataset job, the fetched
 * indicators last (computed ones follow history, docs/decisions/0031).
 */
export async function runCollectionCycle(environment: E2eEnvironment, timeoutMs = 120_000): Promise<void> {
  const { pipeline } = environment;
  const scheduler = pipeline.scheduler;
  if (!scheduler) throw new Error('the dispatcher is not part of this pipeline');
  await scheduler.fireNow('universe');
  await pipeline.waitUntilIdle({ timeoutMs });
  for (const job of ['overview', 'history', 'quote'] as const) await scheduler.fireNow(job);
  await pipeline.waitUntilIdle({ timeoutMs });
  await scheduler.fireNow('indicators');
  await pipeline.waitUntilIdle({ timeoutMs });
}

/** One planned cycle and what the simulator saw of it. */
export interface MeasuredCycle {
  result: CycleResult;
  requests: ReturnType<AlphaVantageSimulator['stats']>['requests'];
  seconds: number;
}

/**
 * Runs `npm start`'s one-shot planned cycle (localstack/cycle.ts) with the simulator's day as "now" and returns it
 * with the simulator's request counters, which are then reset: each cycle is measured on its own.
 */
export async function measuredCycle(
  environment: E2eEnvironment,
  now: Date,
  timeoutMs: number,
): Promise<MeasuredCycle> {
  const started = Date.now();
  const result = await runPlannedCycle({
    pipeline: environment.pipeline,
    config: environment.config,
    doc: environment.doc,
    brokers: environment.brokers,
    timeoutMs,
    now: () => now,
  });
  const seconds = (Date.now() - started) / 1000;
  const requests = structuredClone(environment.simulator.stats().requests);
  environment.simulator.reset();
  return { result, requests, seconds };
}

// ---------------------------------------------------------------------------------------------- Kafka

export interface RawMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
  partition: number;
}

export interface ProducedRecord extends RawMessage {
  topic: string;
  offset: number;
}

/**
 * Produces `messages` in order and returns each with the offset it got. Messages of one partition are sent
 * in one request, so their offsets are consecutive from the batch's base offset.
 */
export async function produceRaw(
  kafka: Kafka,
  topic: string,
  messages: RawMessage[],
): Promise<ProducedRecord[]> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const produced = new Array<ProducedRecord>(messages.length);
    const partitions = [...new Set(messages.map((message) => message.partition))];
    for (const partition of partitions) {
      const batch = messages.flatMap((message, index) =>
        message.partition === partition ? [{ message, index }] : [],
      );
      const [metadata] = await producer.send({
        topic,
        acks: -1,
        messages: batch.map(({ message }) => ({
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
          partition,
        })),
      });
      const base = Number(metadata?.baseOffset);
      if (!Number.isInteger(base)) throw new Error(`no base offset for ${topic}-${partition}`);
      batch.forEach(({ message, index }, position) => {
        produced[index] = { ...message, topic, offset: base + position };
      });
    }
    return produced;
  } finally {
    await producer.disconnect();
  }
}

/**
 * Moves the handlers' consumer groups back to the start of their topics, as an operator replaying a topic
 * would (`kafka-consumer-groups --reset-offsets --to-earliest`). The groups must have no members: stop the
 * pipeline first. Verifies the committed offsets afterwards.
 */
export async function resetGroupsToEarliest(
  kafka: Kafka,
  config: HortonConfig,
  roles: readonly CommandRole[] = COMMAND_ROLES,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await Promise.all(
      roles.map((role) => seekGroup(kafka, admin, consumerGroupId(config, role), config.topics[role].name)),
    );
    for (const role of roles) {
      const groupId = consumerGroupId(config, role);
      const topic = config.topics[role].name;
      const [committed, starts] = await Promise.all([
        admin.fetchOffsets({ groupId, topics: [topic] }),
        admin.fetchTopicOffsets(topic),
      ]);
      const low = new Map(starts.map((start) => [start.partition, start.low]));
      for (const partition of committed[0]?.partitions ?? []) {
        if (partition.offset !== low.get(partition.partition)) {
          throw new Error(
            `${groupId}: ${topic}-${partition.partition} is at ${partition.offset}, not the start`,
          );
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * kafkajs' `admin.resetOffsets` does this with a fetch wait of 5 s per group: a paused member of the group
 * seeks every partition to its start, which commits. Here with a 100 ms fetch wait.
 */
async function seekGroup(kafka: Kafka, admin: Admin, groupId: string, topic: string): Promise<void> {
  const starts = await admin.fetchTopicOffsets(topic);
  const seeker = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await seeker.connect();
  try {
    await seeker.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      seeker.on(seeker.events.FETCH, () => resolve());
      seeker.run({ eachBatchAutoResolve: false, eachBatch: async () => {} }).catch(reject);
      seeker.pause([{ topic }]);
      for (const start of starts) seeker.seek({ topic, partition: start.partition, offset: start.low });
    });
  } finally {
    await seeker.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------- DynamoDB

/** Every item of a table as the document client returns them (plain JavaScript values). */
export async function scanItems<T = Record<string, unknown>>(
  doc: DynamoDBDocumentClient,
  table: string,
): Promise<T[]> {
  const items: T[] = [];
  let exclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new DocScanCommand({ TableName: table, ExclusiveStartKey: exclusiveStartKey }),
    );
    items.push(...((page.Items ?? []) as T[]));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return items;
}

/** JSON with object keys sorted at every level: equal values give equal text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner) || Buffer.isBuffer(inner))
      return inner;
    return Object.fromEntries(
      Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });
}

/**
 * A table's exact content: every item in DynamoDB's own wire form (AttributeValues, so numbers are compared
 * as the stored decimal strings and types are kept), canonicalised and sorted. Two snapshots are equal
 * exactly when the tables hold the same items, attribute for attribute.
 */
export async function snapshotTable(raw: DynamoDBClient, table: string): Promise<string[]> {
  const items: Array<Record<string, AttributeValue>> = [];
  let exclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await raw.send(new ScanCommand({ TableName: table, ExclusiveStartKey: exclusiveStartKey }));
    items.push(...(page.Items ?? []));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return items.map((item) => canonicalJson(normaliseSets(item))).sort();
}

/** String/number sets have no order in DynamoDB: sort them so a snapshot does not depend on it. */
function normaliseSets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseSets);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).map(([key, inner]) => {
    if ((key === 'SS' || key === 'NS') && Array.isArray(inner)) return [key, [...(inner as string[])].sort()];
    return [key, normaliseSets(inner)];
  });
  return Object.fromEntries(entries);
}

/**
 * Every collected-data table, item by item. The AlphaVantage quota table is left out: it is the budget's
 * bookkeeping (calls counted, the next slot), which every call moves on by design, not collected data.
 */
export async function snapshotAllTables(environment: E2eEnvironment): Promise<Record<TableRole, string[]>> {
  const roles = (Object.keys(environment.tables) as TableRole[]).filter(
    (role) => role !== 'alphaVantageQuota',
  );
  const snapshots = await Promise.all(
    roles.map((role) => snapshotTable(environment.raw, environment.tables[role])),
  );
  return Object.fromEntries(roles.map((role, index) => [role, snapshots[index] ?? []])) as Record<
    TableRole,
    string[]
  >;
}
