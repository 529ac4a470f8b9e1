/**
 * Per-record processing of a Kafka batch with dead-lettering and partial batch responses.
 *
 * - Each record is handled on its own. A permanent failure (undecodable, schema-invalid, permanent API error)
 *   is written to the dead-letter topic with the reason, its source coordinates and original bytes, and the batch
 *   goes on. If the dead-letter write itself fails, the record is reported as failed instead: nothing is lost.
 * - A transient failure is reported as a batch item failure `{ partition: "<topic>-<partition>", offset }`.
 *   The event source mapping resumes that partition from the lowest failed offset, so the rest of that partition
 *   is not processed in this invocation: it would be redelivered anyway, and stopping keeps one symbol's
 *   commands in order and saves AlphaVantage quota. Other partitions go on.
 * - A deferral (DeferredError: the AlphaVantage budget has no slot before the deadline) is not a failure: the
 *   partition holds until the wait is over or the invocation's deadline comes, then the record and the rest of
 *   its partition are handed back by re-publishing them, same bytes, to the same topic-partition (`park`), and
 *   committed. A known wait therefore never burns the mapping's bounded retries nor ends as
 *   `retries-exhausted`; holding first keeps a used-up budget from spinning records through Kafka. A record
 *   still deferred `MAX_DEFERRAL_MS` after its first deferral is dead-lettered: nothing waits forever.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DeadLetter } from '../../../model/messages.ts';
import { currentDeadline } from '../deadline.ts';
import { DeferredError, isPermanent, PermanentError } from '../errors.ts';
import { decodeKafkaEvent, headerText, type KafkaBatchResponse, type KafkaRecord } from './event.ts';

export type BatchLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface BatchOptions {
  /** Name of the handler, written into dead-letter records. */
  handler: string;
  processRecord: (record: KafkaRecord) => Promise<void>;
  publishDeadLetters: (deadLetters: DeadLetter[]) => Promise<void>;
  logger: BatchLogger;
  /**
   * Checked before each record: when true (the invocation is about to time out), the record is not started but
   * handed back with the rest of its partition (`park`), or else reported as failed, so they are redelivered.
   */
  shouldStop?: () => boolean;
  /**
   * Hands records back for later (re-publishes them to their own topic-partition, in order, marked with
   * DEFERRED_SINCE_HEADER). Without it a deferral is reported as a batch item failure.
   */
  park?: (records: KafkaRecord[], deferredSince: string) => Promise<void>;
  /** Clock, injectable for tests. */
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** Header carrying when a parked record was first deferred (ISO time). */
export const DEFERRED_SINCE_HEADER = 'horton-deferred-since';
/** Two daily budget resets: a record deferred longer than this cannot fit the plan and is dead-lettered. */
const MAX_DEFERRAL_MS = 48 * 3600 * 1000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface BatchOutcome {
  response: KafkaBatchResponse;
  processed: number;
  deadLettered: number;
  failed: number;
  skipped: number;
  /** Records handed back for a known wait (re-published), the deferred one and the rest of its partition. */
  deferred: number;
  /** Why each reported record failed, by `<topic>-<partition>@<offset>` (the response carries only coordinates). */
  failureCauses: Map<string, string>;
  /** Why each dead-lettered record was, by `<topic>-<partition>@<offset>`. */
  deadLetterCauses: Map<string, string>;
}

/**
 * Largest dead letter (its JSON value) that `buildDeadLetter` produces. The broker refuses records above its
 * `max.message.bytes` (1 MiB by default, on MSK too); this leaves room for the key, headers and record overhead.
 */
export const MAX_DEAD_LETTER_BYTES = 900_000;
/** A failure message longer than this is cut: it is for people, and a schema error can list every field. */
const MAX_REASON_CHARS = 4_000;

/**
 * The dead letter of a record: why, where from, and its original bytes. The original value is kept whole when the
 * dead letter then fits in `maxBytes`; otherwise it is cut to what fits and `originalValueCut` records its full
 * length and SHA-256, so a poison record of any size can still be dead-lettered and its partition goes on.
 */
export function buildDeadLetter(
  record: KafkaRecord,
  handler: string,
  error: Error & { code?: string },
  now: Date,
  maxBytes: number = MAX_DEAD_LETTER_BYTES,
): DeadLetter {
  const message =
    error.message.length > MAX_REASON_CHARS ? `${error.message.slice(0, MAX_REASON_CHARS)}…` : error.message;
  const deadLetter: DeadLetter = {
    type: 'dead-letter',
    v: 1,
    reason: { code: error.code ?? 'permanent', message },
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: String(record.offset),
      timestamp: record.timestamp,
    },
    handler,
    failedAt: now.toISOString(),
    originalKey: record.raw.key ?? null,
    originalValue: record.raw.value ?? null,
    originalHeaders: record.headers.map((header) => ({ [header.name]: header.value.toString('base64') })),
  };
  // Producers put the correlation id in a header, so even an undecodable value can be traced back.
  const correlationId = headerText(record, 'correlation-id');
  if (correlationId) deadLetter.correlationId = correlationId;
  return fitDeadLetter(deadLetter, record.value, maxBytes);
}

function fitDeadLetter(deadLetter: DeadLetter, value: Buffer | null, maxBytes: number): DeadLetter {
  if (value === null || Buffer.byteLength(JSON.stringify(deadLetter)) <= maxBytes) return deadLetter;
  const cut: DeadLetter = {
    ...deadLetter,
    originalValue: '',
    originalValueCut: {
      length: value.length,
      sha256: createHash('sha256').update(value).digest('hex'),
      // The largest it can be, so the size measured now is not exceeded once the real count is in.
      keptBytes: value.length,
    },
  };
  // Base64 takes 4 characters per 3 bytes; whole 3-byte groups keep the kept prefix decodable on its own.
  const room = maxBytes - Buffer.byteLength(JSON.stringify(cut));
  const keptBytes = Math.max(0, Math.min(value.length, Math.floor(room / 4) * 3));
  return {
    ...cut,
    originalValue: value.subarray(0, keptBytes).toString('base64'),
    originalValueCut: { ...(cut.originalValueCut as NonNullable<DeadLetter['originalValueCut']>), keptBytes },
  };
}

export async function processKafkaBatch(event: unknown, options: BatchOptions): Promise<BatchOutcome> {
  const partitions = decodeKafkaEvent(event);
  const outcome: BatchOutcome = {
    response: { batchItemFailures: [] },
    processed: 0,
    deadLettered: 0,
    failed: 0,
    skipped: 0,
    deferred: 0,
    failureCauses: new Map(),
    deadLetterCauses: new Map(),
  };
  const run: BatchRun = {
    options,
    outcome,
    now: options.now ?? (() => new Date()),
    sleep: options.sleep ?? defaultSleep,
  };
  // Partitions are independent streams: process them concurrently, each strictly in offset order.
  await Promise.all(
    [...partitions.entries()].map(([partitionKey, records]) => processPartition(run, partitionKey, records)),
  );
  return outcome;
}

/** What every record of one batch shares. */
interface BatchRun {
  options: BatchOptions;
  outcome: BatchOutcome;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** One record's place: its partition's records and its index among them (the rest follow it). */
interface RecordAt {
  partitionKey: string;
  records: KafkaRecord[];
  index: number;
}

/** Processes one partition's records in offset order, up to the first one that stops the partition. */
async function processPartition(run: BatchRun, partitionKey: string, records: KafkaRecord[]): Promise<void> {
  for (const index of records.keys()) {
    const at = { partitionKey, records, index };
    if (run.options.shouldStop?.()) {
      await leaveForLackOfTime(run, at);
      return;
    }
    if (!(await processRecord(run, at))) return;
  }
}

const coordinatesOf = (record: KafkaRecord) => ({
  topic: record.topic,
  partition: record.partition,
  offset: record.offset,
});

const recordAt = ({ records, index }: RecordAt) => records[index] as KafkaRecord;

/** Not started for lack of time: handed back like a deferral (so it costs no retry), or else reported failed. */
async function leaveForLackOfTime(run: BatchRun, at: RecordAt): Promise<void> {
  const record = recordAt(at);
  const since = headerText(record, DEFERRED_SINCE_HEADER) ?? run.now().toISOString();
  if (await handBack(run, at, since, 'invocation deadline near: records handed back')) return;
  run.options.logger.warn('invocation deadline near: record left for redelivery', coordinatesOf(record));
  reportFailed(run, at);
}

/** Runs one record; returns whether its partition goes on. */
async function processRecord(run: BatchRun, at: RecordAt): Promise<boolean> {
  try {
    await run.options.processRecord(recordAt(at));
    run.outcome.processed += 1;
    return true;
  } catch (error) {
    return handleFailure(run, at, error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * A record that threw: a deferral is handed back with the rest of its partition, a permanent failure is
 * dead-lettered (the partition goes on), anything else, or a failed hand-back or dead-letter write, is reported as
 * a batch item failure. Returns whether the partition goes on.
 */
async function handleFailure(run: BatchRun, at: RecordAt, error: Error): Promise<boolean> {
  const record = recordAt(at);
  const coordinates = coordinatesOf(record);
  let failure = error;
  if (failure instanceof DeferredError && run.options.park) {
    const since = headerText(record, DEFERRED_SINCE_HEADER) ?? run.now().toISOString();
    if (run.now().getTime() - Date.parse(since) <= MAX_DEFERRAL_MS) {
      await holdForDeferral(run, failure);
      const details = { reason: failure.message, code: failure.code };
      if (await handBack(run, at, since, 'records handed back for a known wait', details)) return false;
    } else {
      failure = new PermanentError(
        'deferred-too-long',
        `deferred since ${since}, longer than ${MAX_DEFERRAL_MS / 3_600_000} h: ${failure.message}`,
      );
    }
  }
  if (isPermanent(failure)) {
    if (await deadLetter(run, record, failure)) return true;
  } else {
    run.options.logger.warn('record failed transiently; will be retried', {
      ...coordinates,
      error: failure.message,
      code: (failure as { code?: string }).code,
    });
  }
  reportFailed(run, at, failure.message);
  return false;
}

/**
 * Holds the partition until the known wait is over or the invocation's deadline comes, whichever is first; in
 * steps, so a stop (`shouldStop` turning true: the deadline moved, e.g. the local runner is shutting down) ends
 * the hold early.
 */
async function holdForDeferral(run: BatchRun, deferral: DeferredError): Promise<void> {
  const deadline = currentDeadline();
  let left = Math.min(deferral.retryAfterMs, (deadline ?? 0) - run.now().getTime());
  while (left > 0 && !run.options.shouldStop?.()) {
    const step = Math.min(left, HOLD_STEP_MS);
    await run.sleep(step);
    left -= step;
  }
}

/** How often a hold checks `shouldStop`. */
const HOLD_STEP_MS = 1_000;

/** Hands the record and the rest of its partition back (`park`); returns false when that is impossible or fails. */
async function handBack(
  run: BatchRun,
  at: RecordAt,
  since: string,
  message: string,
  details: Record<string, unknown> = {},
): Promise<boolean> {
  if (!run.options.park) return false;
  const rest = at.records.slice(at.index);
  const coordinates = coordinatesOf(recordAt(at));
  try {
    await run.options.park(rest, since);
  } catch (parkError) {
    run.options.logger.error('handing records back failed; record will be retried', {
      ...coordinates,
      error: (parkError as Error).message,
    });
    return false;
  }
  run.outcome.deferred += rest.length;
  run.options.logger.warn(message, { ...coordinates, records: rest.length, ...details });
  return true;
}

/** Writes the record's dead letter; returns false when the write failed (the record is then retried). */
async function deadLetter(run: BatchRun, record: KafkaRecord, failure: Error & { code: string }) {
  const coordinates = coordinatesOf(record);
  try {
    await run.options.publishDeadLetters([buildDeadLetter(record, run.options.handler, failure, run.now())]);
  } catch (dlqError) {
    run.options.logger.error('dead-letter publish failed; record will be retried', {
      ...coordinates,
      error: (dlqError as Error).message,
    });
    return false;
  }
  run.outcome.deadLettered += 1;
  run.outcome.deadLetterCauses.set(`${record.topic}-${record.partition}@${record.offset}`, failure.message);
  run.options.logger.warn('record dead-lettered', {
    ...coordinates,
    reason: failure.message,
    code: failure.code,
  });
  return true;
}

/** Reports the record as the partition's batch item failure: it and the rest of the partition are redelivered. */
function reportFailed(run: BatchRun, at: RecordAt, cause?: string): void {
  const { outcome } = run;
  const record = recordAt(at);
  outcome.failed += 1;
  outcome.skipped += at.records.length - at.index - 1;
  if (cause !== undefined) outcome.failureCauses.set(`${at.partitionKey}@${record.offset}`, cause);
  outcome.response.batchItemFailures.push({
    itemIdentifier: { partition: at.partitionKey, offset: record.offset },
  });
}
