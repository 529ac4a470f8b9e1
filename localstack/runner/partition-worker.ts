/**
 * The delivery rules of an MSK event source mapping for ONE partition, independent of the Kafka client so they
 * can be tested without a broker. The mapping hands each fetched run of records to `process`.
 *
 * Rules (Lambda's, with `ReportBatchItemFailures` and an on-failure destination):
 * - records go to the function in offset order, at most `batchSize` per invocation;
 * - success: the batch is committed (next offset = last + 1);
 * - partial failure: records before the lowest failed offset are committed, delivery resumes AT that offset;
 * - thrown error, timeout or invalid response: nothing is committed, the same batch is retried;
 * - a failing position is retried `retryAttempts` times (with backoff); then it goes to the on-failure
 *   destination and delivery moves past it: the failed record for a partial failure, the whole batch for a
 *   whole-batch failure (Lambda discards the whole batch then, too);
 * - records older than `maxRecordAgeSeconds` go to the on-failure destination instead of the function.
 * Commits happen only after the function returned, so a crash or stop re-delivers (at-least-once). A commit that
 * fails after a successful invocation is retried on its own: the invocation succeeded and is not re-run.
 * Nothing is retried forever: a commit or an on-failure send that keeps failing for `MAX_DELIVERY_ATTEMPTS`
 * backoffs makes `process` reject with a `DeliveryStalled` naming the partition and offset.
 */
import type { KafkaEvent } from '../../functions/shared/kafka/event.ts';
import { interpretBatchResponse } from './batch-response.ts';
import { buildMskEvent, type ConsumedRecord, type LocalCluster, partitionKey } from './msk-event.ts';

/**
 * Attempts at a commit, or at a send to the on-failure destination, before giving up. With the mapping's backoff
 * (0.5 s doubling to 10 s) 30 attempts span about four and a half minutes: a broker restart fits, a dead broker
 * ends in a clear error instead of an endless loop.
 */
export const MAX_DELIVERY_ATTEMPTS = 30;

/** A commit or an on-failure send failed `MAX_DELIVERY_ATTEMPTS` times: this partition cannot make progress. */
export class DeliveryStalled extends Error {
  override readonly name = 'DeliveryStalled';
}

export interface RunnerLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Why a record went to the on-failure destination; the code becomes the dead letter's `reason.code`. */
export interface OnFailureReason {
  code: 'retries-exhausted' | 'record-age-exceeded';
  message: string;
}

export interface MappingCounters {
  /** Handler invocations, retries included. */
  invocations: number;
  /** Records delivered to the handler, re-deliveries included. */
  records: number;
  /** Invocations that threw, timed out, returned an invalid response or reported failures. */
  failedInvocations: number;
  /** Invocations that were retries of a failed position. */
  retries: number;
  /** Records sent to the on-failure destination (retries exhausted or too old). */
  onFailureSends: number;
  /** Records the function processed without failing (its own count when it reports one). */
  processed: number;
  /** Records the function dead-lettered itself (as it reports them). */
  deadLettered: number;
  /** The first line of the last failure or dead-letter reason, for a run's one-line verdict. */
  lastCause?: string;
}

export function emptyCounters(): MappingCounters {
  return {
    invocations: 0,
    records: 0,
    failedInvocations: 0,
    retries: 0,
    onFailureSends: 0,
    processed: 0,
    deadLettered: 0,
  };
}

export interface PartitionSettings {
  batchSize: number;
  retryAttempts: number;
  maxRecordAgeSeconds: number;
}

export interface PartitionWorkerDeps {
  /** The function's name, for the lines this worker writes. */
  handler: string;
  settings: PartitionSettings;
  cluster: LocalCluster;
  /** Invokes the function; rejects on error or timeout. */
  invoke(event: KafkaEvent): Promise<unknown>;
  /** Commits `nextOffset` as the group's position (and makes the client fetch from there). */
  commit(nextOffset: number): Promise<void>;
  /** Publishes records to the on-failure destination; may reject (then it is retried after a backoff). */
  sendToOnFailureDestination(records: ConsumedRecord[], reason: OnFailureReason): Promise<void>;
  /** Waits before retry `attempt` (1-based); resolves false when the mapping is stopping. */
  backoff(attempt: number): Promise<boolean>;
  isRunning(): boolean;
  now(): number;
  counters: MappingCounters;
  log: RunnerLogger;
}

/** What went wrong with one invocation: at which offset, and whether the whole batch counts as failed. */
interface InvocationFailure {
  offset: number;
  whole: boolean;
  message: string;
  /** Why, as the handler or the invocation said it (the message less the coordinates). */
  cause: string;
}

interface RetryState {
  /** The offset delivery keeps failing at: the lowest failed record, or the batch's first record. */
  offset: number;
  /** Failed invocations at this offset so far. */
  failures: number;
}

/** What Horton's handlers add to their response for the local runner (consumer-handler.ts `reportCauses`). */
interface HandlerReport {
  processed?: unknown;
  failureCauses?: unknown;
  deadLetterCauses?: unknown;
}

const asReport = (response: unknown): HandlerReport =>
  typeof response === 'object' && response !== null ? (response as HandlerReport) : {};

const textsOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/** The reason a handler reported for the record at `coordinates`, when it reported one. */
function failureCause(response: unknown, coordinates: string): string | undefined {
  const cause = textsOf(asReport(response).failureCauses)[coordinates];
  return typeof cause === 'string' ? cause : undefined;
}

/** The first line of a message: retry lines and verdicts stay one line. */
export const firstLine = (message: string): string => message.split('\n', 1)[0] ?? message;

export class PartitionWorker {
  private retry: RetryState | undefined;
  /** Records already handed to the on-failure destination but not yet committed past (no duplicates). */
  private readonly sentToDestination = new Set<number>();
  private committed = -1;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly deps: PartitionWorkerDeps,
  ) {}

  private get key(): string {
    return partitionKey(this.topic, this.partition);
  }

  /** Commits, retrying with backoff; false when the mapping stopped first. */
  private async commit(nextOffset: number): Promise<boolean> {
    if (nextOffset <= this.committed) return true;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.deps.commit(nextOffset);
        break;
      } catch (error) {
        const message = (error as Error).message;
        if (attempt >= MAX_DELIVERY_ATTEMPTS) {
          throw new DeliveryStalled(
            `${this.key}: commit of offset ${nextOffset} failed ${attempt} times, giving up: ${message}`,
            { cause: error },
          );
        }
        this.deps.log.warn('commit failed; will retry', {
          partition: this.key,
          nextOffset,
          attempt,
          error: message,
        });
        if (!(await this.deps.backoff(attempt))) return false;
      }
    }
    this.committed = nextOffset;
    for (const offset of this.sentToDestination)
      if (offset < nextOffset) this.sentToDestination.delete(offset);
    return true;
  }

  /** Sends, retrying with backoff; false when the mapping stopped first (nothing committed then). */
  private async sendToDestination(
    records: readonly ConsumedRecord[],
    reason: OnFailureReason,
  ): Promise<boolean> {
    const pending = records.filter((record) => !this.sentToDestination.has(record.offset));
    if (pending.length === 0) return true;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.deps.sendToOnFailureDestination(pending, reason);
        break;
      } catch (error) {
        if (attempt >= MAX_DELIVERY_ATTEMPTS) {
          throw new DeliveryStalled(
            `${this.key}: the on-failure destination refused offsets ${pending.map((record) => record.offset).join(', ')} ${attempt} times, giving up: ${(error as Error).message}`,
            { cause: error },
          );
        }
        this.deps.log.error('on-failure destination unavailable; will retry', {
          partition: this.key,
          offsets: pending.map((record) => record.offset),
          error: (error as Error).message,
        });
        if (!(await this.deps.backoff(attempt))) return false;
      }
    }
    for (const record of pending) this.sentToDestination.add(record.offset);
    this.deps.counters.onFailureSends += pending.length;
    this.deps.log.warn('records sent to the on-failure destination', {
      partition: this.key,
      offsets: pending.map((record) => record.offset),
      reason: reason.code,
    });
    return true;
  }

  /**
   * Delivers `records` (consecutive, in offset order, from this partition's current position) and returns when
   * all of them are committed or the mapping stops.
   */
  async process(records: readonly ConsumedRecord[]): Promise<void> {
    // The run starts at the group's position: committing that offset again would be no progress.
    this.committed = Math.max(this.committed, records[0]?.offset ?? -1);
    let position: number | undefined = 0;
    while (position !== undefined && position < records.length && this.deps.isRunning()) {
      position = await this.deliverBatch(records, position);
    }
  }

  /** Delivers the batch that starts at `position`: where delivery goes on, or undefined when the mapping stopped. */
  private async deliverBatch(
    records: readonly ConsumedRecord[],
    position: number,
  ): Promise<number | undefined> {
    const batch = records.slice(position, position + this.deps.settings.batchSize);
    const last = batch.at(-1);
    if (last === undefined) return undefined;
    const deliverable = await this.sendExpiredAway(batch);
    if (deliverable === undefined) return undefined;
    if (deliverable.length === 0) {
      return (await this.commit(last.offset + 1)) ? position + batch.length : undefined;
    }
    const failure = await this.invoke(deliverable, last.offset);
    if (failure === undefined) {
      // Outside the invocation: a commit failure is not a failed invocation, and the handler is not run again.
      this.retry = undefined;
      return (await this.commit(last.offset + 1)) ? position + batch.length : undefined;
    }
    this.deps.counters.failedInvocations += 1;
    let from = position;
    if (!failure.whole) {
      // Records before the failed one are done: commit them, and resume delivery at the failed one.
      if (!(await this.commit(failure.offset))) return undefined;
      from = records.findIndex((record) => record.offset === failure.offset);
    }
    this.retry =
      this.retry?.offset === failure.offset
        ? { offset: failure.offset, failures: this.retry.failures + 1 }
        : { offset: failure.offset, failures: 1 };
    if (this.retry.failures <= this.deps.settings.retryAttempts) {
      this.logRetry(failure, this.retry.failures);
      return (await this.deps.backoff(this.retry.failures)) ? from : undefined;
    }
    return (await this.giveUp(failure, this.retry.failures, deliverable, last.offset))
      ? from + (failure.whole ? batch.length : 1)
      : undefined;
  }

  /**
   * Sends the batch's records older than maxRecordAgeSeconds to the on-failure destination: the records still to
   * deliver, or undefined when the mapping stopped first.
   */
  private async sendExpiredAway(batch: readonly ConsumedRecord[]): Promise<ConsumedRecord[] | undefined> {
    const { maxRecordAgeSeconds } = this.deps.settings;
    const oldestAllowed = this.deps.now() - maxRecordAgeSeconds * 1000;
    const expired = batch.filter((record) => record.timestamp < oldestAllowed);
    if (expired.length > 0) {
      const reason: OnFailureReason = {
        code: 'record-age-exceeded',
        message: `record older than maxRecordAgeSeconds=${maxRecordAgeSeconds}`,
      };
      if (!(await this.sendToDestination(expired, reason))) return undefined;
    }
    return batch.filter(
      (record) => record.timestamp >= oldestAllowed && !this.sentToDestination.has(record.offset),
    );
  }

  private logRetry(failure: InvocationFailure, attemptsMade: number): void {
    const { retryAttempts } = this.deps.settings;
    this.deps.log.warn(
      `${this.deps.handler}: invocation failed at ${this.key} offset ${failure.offset}; will retry (${attemptsMade} of ${retryAttempts}): ${firstLine(failure.cause)}`,
      {
        partition: this.key,
        offset: failure.offset,
        wholeBatch: failure.whole,
        retry: attemptsMade,
        of: retryAttempts,
        error: failure.message,
      },
    );
  }

  /**
   * Retries exhausted: the failed records (the whole batch when the invocation failed as a whole) go to the
   * on-failure destination and are committed past. False when the mapping stopped first.
   */
  private async giveUp(
    failure: InvocationFailure,
    attemptsMade: number,
    deliverable: readonly ConsumedRecord[],
    lastOffset: number,
  ): Promise<boolean> {
    const { retryAttempts } = this.deps.settings;
    const reason: OnFailureReason = {
      code: 'retries-exhausted',
      message: `failed ${attemptsMade} time(s) (retryAttempts=${retryAttempts}): ${failure.message}`,
    };
    const failed = failure.whole
      ? deliverable
      : deliverable.filter((record) => record.offset === failure.offset);
    if (!(await this.sendToDestination(failed, reason))) return false;
    this.retry = undefined;
    return this.commit(failure.whole ? lastOffset + 1 : failure.offset + 1);
  }

  /** One invocation of the handler with `deliverable`; the failure it reported or raised, if any. */
  private async invoke(
    deliverable: readonly ConsumedRecord[],
    lastOffset: number,
  ): Promise<InvocationFailure | undefined> {
    const { counters } = this.deps;
    const isRetry = this.retry !== undefined && this.retry.offset === deliverable[0]?.offset;
    counters.invocations += 1;
    counters.records += deliverable.length;
    if (isRetry) counters.retries += 1;
    const event = buildMskEvent(deliverable, this.deps.cluster);
    try {
      const response = await this.deps.invoke(event);
      const delivered = new Map([[this.key, new Set(deliverable.map((record) => record.offset))]]);
      const outcome = interpretBatchResponse(response, delivered);
      this.count(response, outcome.kind === 'success' ? deliverable.length : undefined);
      if (outcome.kind === 'success') return undefined;
      if (outcome.kind === 'invalid') {
        return this.failed({
          offset: deliverable[0]?.offset ?? lastOffset,
          whole: true,
          cause: outcome.reason,
        });
      }
      const failedAt = outcome.failedFrom.get(this.key) ?? lastOffset;
      const cause = failureCause(response, `${this.key}@${failedAt}`);
      return this.failed({
        offset: failedAt,
        whole: false,
        cause: cause ?? 'no cause reported',
        message: `handler reported ${this.key}@${failedAt} as failed${cause ? `: ${cause}` : ''}`,
      });
    } catch (error) {
      const message = (error as Error).message;
      return this.failed({ offset: deliverable[0]?.offset ?? lastOffset, whole: true, cause: message });
    }
  }

  /** Counts what the handler processed and dead-lettered, as it reports them (else `delivered` on success). */
  private count(response: unknown, delivered: number | undefined): void {
    const { counters } = this.deps;
    const report = asReport(response);
    if (typeof report.processed === 'number') counters.processed += report.processed;
    else if (delivered !== undefined) counters.processed += delivered;
    const deadLetterCauses = Object.values(textsOf(report.deadLetterCauses));
    counters.deadLettered += deadLetterCauses.length;
    const last = deadLetterCauses.at(-1);
    if (typeof last === 'string') counters.lastCause = firstLine(last);
  }

  private failed(failure: Omit<InvocationFailure, 'message'> & { message?: string }): InvocationFailure {
    this.deps.counters.lastCause = firstLine(failure.cause);
    return { ...failure, message: failure.message ?? failure.cause };
  }
}
