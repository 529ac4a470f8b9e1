/**
 * A local Amazon MSK event source mapping for one handler: a kafkajs consumer in the handler's stable consumer
 * group reads its topic and invokes the handler with events in exactly the MSK shape, applying Lambda's
 * delivery rules (see partition-worker.ts) with the on-failure destination mapped to Horton's dead-letter topic.
 *
 * Approximations of the real ESM, and why they are acceptable locally:
 * - one invocation carries records of ONE partition (Lambda may mix partitions in one event). Lambda's
 *   ordering and scaling unit is the partition anyway, and partitions are consumed concurrently here, up to
 *   one invocation per partition at a time, which is how the MSK ESM scales;
 * - the batching window is approximated by the fetch: the broker answers after `maxBatchingWindowSeconds`
 *   unless 6 MB (Lambda's payload limit) are ready, so a quiet topic is invoked once per window, not per record;
 * - a retried batch is re-delivered from memory, not re-fetched (the log is immutable, the bytes are the same);
 * - offsets are committed to the group only after the handler returned, so a stop or crash re-delivers.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Admin, type Consumer, type EachBatchPayload, Kafka, type LogEntry, logLevel } from 'kafkajs';
import { buildDeadLetter } from '../../functions/shared/kafka/batch.ts';
import { decodeKafkaEvent, headerText } from '../../functions/shared/kafka/event.ts';
import { Publisher } from '../../functions/shared/kafka/producer.ts';
import { consumerGroupId, type HortonConfig, type TopicRole } from '../../model/config.ts';
import { invokeHandler, type LambdaHandler } from './lambda-context.ts';
import {
  buildMskEvent,
  type ConsumedRecord,
  fromKafkaMessage,
  type LocalCluster,
  localCluster,
} from './msk-event.ts';
import {
  DeliveryStalled,
  emptyCounters,
  type MappingCounters,
  type OnFailureReason,
  PartitionWorker,
  type RunnerLogger,
} from './partition-worker.ts';

export type ConsumedTopicRole = Exclude<TopicRole, 'deadLetter'>;

/** Lambda's invocation payload limit: the most a batching window waits to accumulate. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Fetch wait when there is no batching window: long-poll, the broker answers as soon as a record arrives. */
const NO_WINDOW_FETCH_WAIT_MS = 500;
const HEARTBEAT_EVERY_MS = 3_000;

export interface RetryBackoff {
  /** Delay before the first retry. @default 500 */
  initialMs: number;
  /** Cap of the exponential backoff. @default 10000 */
  maxMs: number;
}

export interface EventSourceMappingOptions {
  config: HortonConfig;
  /** The topic role the handler consumes (the handler catalogue's `trigger.topic`); names the consumer group. */
  role: ConsumedTopicRole;
  handler: LambdaHandler;
  /** Lambda function name in contexts and dead letters. @default `<prefix>-<role>` */
  functionName?: string;
  brokers: string[];
  region?: string;
  /** Function timeout. @default 300 */
  timeoutSeconds?: number;
  retryBackoff?: Partial<RetryBackoff>;
  /** Clock for record ages and dead-letter times (ms since epoch). */
  now?: () => number;
  log?: RunnerLogger;
  /** kafkajs' own log level. @default logLevel.ERROR */
  kafkaLogLevel?: logLevel;
  /** How long `start()` waits for the consumer to join its group. @default 30000 */
  joinTimeoutMs?: number;
}

export interface WaitOptions {
  /** @default 60000 */
  timeoutMs?: number;
  /** @default 200 */
  pollMs?: number;
}

/** Quiet by default: warnings and errors to stderr, one line each. */
export const stderrLogger: RunnerLogger = {
  info: () => {},
  warn: (message, extra) => process.stderr.write(`[runner] WARN ${message} ${JSON.stringify(extra ?? {})}\n`),
  error: (message, extra) =>
    process.stderr.write(`[runner] ERROR ${message} ${JSON.stringify(extra ?? {})}\n`),
};

function kafkaLogCreator(log: RunnerLogger, source: string) {
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...extra } = entry;
      const line = `kafkajs ${source}: ${message}`;
      // kafkajs logs retriable protocol errors (e.g. "group coordinator not available" while the broker
      // creates its offsets topic) at ERROR and then retries; a real failure surfaces as a CRASH event.
      if (level <= logLevel.WARN) log.warn(line, extra);
      else log.info(line, extra);
    };
}

/** Exponential backoff with the cap, no jitter: one local consumer, nothing to de-synchronise. */
export function backoffDelay(attempt: number, backoff: RetryBackoff): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1));
}

/** How long `stop` waits for the group to be left when a batch is still in flight (the caller drained first). */
const DISCONNECT_WAIT_MS = 3_000;

/** The parts of kafkajs' `eachBatch` payload a partition worker needs; valid for the current batch only. */
interface BatchBinding {
  commit(nextOffset: number): Promise<void>;
  isRunning(): boolean;
}

export class EventSourceMapping {
  readonly counters: MappingCounters = emptyCounters();
  readonly topic: string;
  readonly groupId: string;
  readonly functionName: string;
  readonly cluster: LocalCluster;

  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly deadLetters: Publisher;
  private readonly workers = new Map<number, PartitionWorker>();
  private readonly bindings = new Map<number, BatchBinding>();
  private readonly stopping = new AbortController();
  private readonly backoffSettings: RetryBackoff;
  private readonly log: RunnerLogger;
  private readonly now: () => number;
  private running = false;
  private activeBatches = 0;
  /** Set when a partition could not make progress: the mapping stops delivering and `lag()` rejects with it. */
  private stalled: DeliveryStalled | undefined;

  constructor(private readonly options: EventSourceMappingOptions) {
    const { config, role } = options;
    this.topic = config.topics[role].name;
    this.groupId = consumerGroupId(config, role);
    this.functionName = options.functionName ?? `${config.prefix}-${role}`;
    this.cluster = localCluster(options.brokers, `${config.prefix}-local`, options.region);
    this.log = options.log ?? stderrLogger;
    this.now = options.now ?? Date.now;
    this.backoffSettings = { initialMs: 500, maxMs: 10_000, ...options.retryBackoff };
    this.kafka = new Kafka({
      clientId: `${this.functionName}-esm`,
      brokers: options.brokers,
      logLevel: options.kafkaLogLevel ?? logLevel.ERROR,
      logCreator: kafkaLogCreator(this.log, this.functionName),
      retry: { retries: 8, initialRetryTime: 200 },
    });
    const windowMs = config.consumers.maxBatchingWindowSeconds * 1000;
    this.consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: windowMs > 0 ? windowMs : NO_WINDOW_FETCH_WAIT_MS,
      minBytes: windowMs > 0 ? MAX_PAYLOAD_BYTES : 1,
      maxBytes: MAX_PAYLOAD_BYTES,
      heartbeatInterval: HEARTBEAT_EVERY_MS,
    });
    this.admin = this.kafka.admin();
    this.deadLetters = new Publisher(this.kafka);
  }

  /** Connects, joins the group and starts delivering; resolves once the group is joined. */
  async start(): Promise<void> {
    const { config } = this.options;
    await this.admin.connect();
    if (config.consumers.startingPosition === 'LATEST') await this.pinLatestForNewGroup();
    await this.consumer.connect();
    const joined = this.groupJoined();
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      this.log.error('consumer crashed', {
        topic: this.topic,
        error: payload.error.message,
        restart: payload.restart,
      }),
    );
    await this.consumer.subscribe({
      topics: [this.topic],
      fromBeginning: config.consumers.startingPosition === 'TRIM_HORIZON',
    });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Up to one concurrent invocation per partition, as the MSK event source mapping scales.
      partitionsConsumedConcurrently: config.topics[this.options.role].partitions,
      eachBatch: (payload) => this.deliverBatch(payload),
    });
    await this.awaitJoin(joined);
  }

  /** Resolves on the next group join, which also starts per-partition state afresh. */
  private groupJoined(): Promise<void> {
    return new Promise<void>((resolve) => {
      const remove = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        // A (re)join may move partitions between members: per-partition state starts afresh.
        this.workers.clear();
        resolve();
      });
      this.stopping.signal.addEventListener('abort', () => remove());
    });
  }

  /** One fetched batch to its partition's worker, heartbeating meanwhile; a stalled delivery stops the mapping. */
  private async deliverBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const worker = this.workerFor(partition, {
      commit: async (nextOffset) => {
        await commitOffsetsIfNecessary({
          topics: [{ topic, partitions: [{ partition, offset: String(nextOffset) }] }],
        });
        // Also moves kafkajs' fetch position, so an unfinished batch is re-fetched from here.
        resolveOffset(String(nextOffset - 1));
      },
      isRunning: () => this.running && isRunning() && !isStale(),
    });
    const records = batch.messages.map((message) => fromKafkaMessage(topic, partition, message));
    // Long invocations and backoffs must not let the group session expire.
    const beat = setInterval(() => heartbeat().catch(() => {}), HEARTBEAT_EVERY_MS);
    this.activeBatches += 1;
    try {
      await worker.process(records);
    } catch (error) {
      if (!(error instanceof DeliveryStalled)) throw error;
      // Bounded retries ran out (the broker stayed away): stop here with the cause, never loop forever.
      this.stalled ??= error;
      this.running = false;
      this.consumer.pause([{ topic: this.topic }]);
      this.log.error('delivery stalled; the mapping stops', { topic: this.topic, error: error.message });
    } finally {
      this.activeBatches -= 1;
      clearInterval(beat);
    }
  }

  /** Waits for the group join, bounded; a stop ends the wait. */
  private async awaitJoin(joined: Promise<void>): Promise<void> {
    const timeoutMs = this.options.joinTimeoutMs ?? 30_000;
    // The join timer must not outlive the join: a pending timer would keep the process alive.
    const joinWait = new AbortController();
    const abortJoinWait = () => joinWait.abort();
    this.stopping.signal.addEventListener('abort', abortJoinWait);
    const timedOut = sleep(timeoutMs, 'timeout' as const, { signal: joinWait.signal }).catch(
      () => 'stopped' as const,
    );
    const outcome = await Promise.race([joined.then(() => 'joined' as const), timedOut]);
    joinWait.abort();
    this.stopping.signal.removeEventListener('abort', abortJoinWait);
    if (outcome !== 'joined') {
      throw new Error(`consumer group ${this.groupId} did not join within ${timeoutMs} ms`);
    }
  }

  private workerFor(partition: number, binding: BatchBinding): PartitionWorker {
    // The kafkajs callbacks belong to the current batch: rebind them on every batch.
    this.bindings.set(partition, binding);
    let worker = this.workers.get(partition);
    if (!worker) {
      const { config } = this.options;
      worker = new PartitionWorker(this.topic, partition, {
        handler: this.functionName,
        settings: {
          batchSize: config.consumers.batchSize,
          retryAttempts: config.consumers.retryAttempts,
          maxRecordAgeSeconds: config.consumers.maxRecordAgeSeconds,
        },
        cluster: this.cluster,
        invoke: (event) =>
          invokeHandler(
            this.options.handler,
            event,
            {
              functionName: this.functionName,
              timeoutSeconds: this.options.timeoutSeconds ?? 300,
              ...(this.options.region ? { region: this.options.region } : {}),
            },
            this.stopping.signal,
          ),
        commit: (nextOffset) => this.bindings.get(partition)?.commit(nextOffset) ?? Promise.resolve(),
        sendToOnFailureDestination: (records, reason) => this.sendToOnFailureDestination(records, reason),
        backoff: (attempt) => this.backoff(attempt),
        isRunning: () => this.bindings.get(partition)?.isRunning() ?? false,
        now: this.now,
        counters: this.counters,
        log: this.log,
      });
      this.workers.set(partition, worker);
    }
    return worker;
  }

  private async backoff(attempt: number): Promise<boolean> {
    if (!this.running) return false;
    try {
      await sleep(backoffDelay(attempt, this.backoffSettings), undefined, { signal: this.stopping.signal });
      return this.running;
    } catch {
      return false;
    }
  }

  /** Dead letters with the original bytes: decoded from the very event the handler would have received. */
  private async sendToOnFailureDestination(
    records: ConsumedRecord[],
    reason: OnFailureReason,
  ): Promise<void> {
    const failedAt = new Date(this.now());
    const decoded = [...decodeKafkaEvent(buildMskEvent(records, this.cluster)).values()].flat();
    const deadLetters = decoded.map((record) => {
      const error = Object.assign(new Error(reason.message), { code: reason.code });
      const deadLetter = buildDeadLetter(record, this.functionName, error, failedAt);
      const correlationId = headerText(record, 'correlation-id');
      return correlationId ? { ...deadLetter, correlationId } : deadLetter;
    });
    await this.deadLetters.publishDeadLetters(this.options.config.topics.deadLetter.name, deadLetters);
  }

  /**
   * A new group starting at LATEST gets its position pinned to the current end of the topic before it joins,
   * as the real mapping fixes its starting point at creation; it also makes `lag()` meaningful from the start.
   * This is what kafkajs' `admin.setOffsets` does (a paused member of the group seeks, which commits), with a
   * short fetch wait: setOffsets waits for a fetch of up to 5 s.
   */
  private async pinLatestForNewGroup(): Promise<void> {
    const committed = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    const unset = new Set(
      (committed[0]?.partitions ?? []).filter((p) => Number(p.offset) < 0).map((p) => p.partition),
    );
    if (unset.size === 0) return;
    const ends = (await this.admin.fetchTopicOffsets(this.topic)).filter((end) => unset.has(end.partition));
    const pinner = this.kafka.consumer({
      groupId: this.groupId,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    await pinner.connect();
    try {
      await pinner.subscribe({ topics: [this.topic], fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        pinner.on(pinner.events.FETCH, () => resolve());
        pinner.run({ eachBatchAutoResolve: false, eachBatch: async () => {} }).catch(reject);
        pinner.pause([{ topic: this.topic }]);
        for (const end of ends)
          pinner.seek({ topic: this.topic, partition: end.partition, offset: end.high });
      });
    } finally {
      await pinner.disconnect();
    }
  }

  /**
   * True while a fetched batch is being delivered (invocations, retries, dead-lettering, commits). Whatever a
   * handler produced before `busy` turned false is visible in its target topic's high watermark afterwards.
   */
  get busy(): boolean {
    return this.activeBatches > 0;
  }

  /** Records in the topic not yet committed by the group (high watermark minus committed offset). */
  async lag(): Promise<number> {
    if (this.stalled) throw this.stalled;
    const [ends, committed] = await Promise.all([
      this.admin.fetchTopicOffsets(this.topic),
      this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
    ]);
    const committedByPartition = new Map(
      (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)] as const),
    );
    let lag = 0;
    for (const end of ends) {
      const position = committedByPartition.get(end.partition) ?? -1;
      const from = position >= 0 ? position : Number(end.low);
      lag += Math.max(0, Number(end.high) - from);
    }
    return lag;
  }

  /** Resolves once the group's lag is at most `target`; rejects after `timeoutMs` naming the remaining lag. */
  async waitForLag(target = 0, options: WaitOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lag = await this.lag();
      if (lag <= target) return;
      if (Date.now() >= deadline) {
        throw new Error(`${this.functionName}: lag on ${this.topic} still ${lag} after ${timeoutMs} ms`);
      }
      await sleep(options.pollMs ?? 200);
    }
  }

  /** Resolves when the group has consumed everything currently in its topic. */
  idle(options?: WaitOptions): Promise<void> {
    return this.waitForLag(0, options);
  }

  /**
   * Takes no new batch and tells the invocations in flight to start no further record (see `invokeHandler`);
   * what they finish is still committed. Backoffs end at once.
   */
  stopTaking(): void {
    this.running = false;
    this.stopping.abort();
  }

  /** Resolves true once no batch is in flight, or false when `timeoutMs` passes first. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.busy) {
      if (Date.now() >= deadline) return false;
      await sleep(100);
    }
    return true;
  }

  /**
   * Stops taking records and leaves the group. A batch still in flight is not waited for beyond
   * `DISCONNECT_WAIT_MS` (kafkajs waits for it): its records are not committed and are delivered again.
   */
  async stop(): Promise<void> {
    this.stopTaking();
    const disconnected = this.consumer
      .disconnect()
      .then(() => true)
      .catch((error: Error) => {
        this.log.warn('consumer disconnect', { error: error.message });
        return true;
      });
    const waited = new AbortController();
    const gaveUp = sleep(DISCONNECT_WAIT_MS, false, { signal: waited.signal }).catch(() => true);
    if (!(await Promise.race([disconnected, gaveUp])))
      this.log.warn('consumer still busy; left without waiting', { topic: this.topic });
    waited.abort();
    await this.deadLetters.disconnect().catch(() => {});
    await this.admin.disconnect().catch(() => {});
  }
}

/** Creates and starts a mapping; stops it again if starting fails, so no client is left connected. */
export async function startEventSourceMapping(
  options: EventSourceMappingOptions,
): Promise<EventSourceMapping> {
  const mapping = new EventSourceMapping(options);
  try {
    await mapping.start();
  } catch (error) {
    await mapping.stop();
    throw error;
  }
  return mapping;
}
