/**
 * The event source mapping's delivery rules for one partition, with test handlers of our own and an in-memory
 * stand-in for the broker side (commits, on-failure destination, backoff).
 */
import { describe, expect, it } from 'vitest';
import type { KafkaEvent } from '../../functions/shared/kafka/event.ts';
import type { ConsumedRecord } from '../../localstack/runner/msk-event.ts';
import { localCluster } from '../../localstack/runner/msk-event.ts';
import {
  DeliveryStalled,
  emptyCounters,
  MAX_DELIVERY_ATTEMPTS,
  type OnFailureReason,
  type PartitionSettings,
  PartitionWorker,
} from '../../localstack/runner/partition-worker.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const TOPIC = 't';

function records(count: number, timestamp = NOW - 1000): ConsumedRecord[] {
  return Array.from({ length: count }, (_, offset) => ({
    topic: TOPIC,
    partition: 0,
    offset,
    timestamp,
    timestampType: 'CREATE_TIME' as const,
    key: Buffer.from(`k${offset}`),
    value: Buffer.from(`v${offset}`),
    headers: [],
  }));
}

function offsetsOf(event: KafkaEvent): number[] {
  return Object.values(event.records)
    .flat()
    .map((record) => record.offset);
}

const failAt = (offset: number) => ({
  batchItemFailures: [{ itemIdentifier: { partition: `${TOPIC}-0`, offset } }],
});

type TestHandler = (offsets: number[], call: number) => unknown;

function harness(
  settings: Partial<PartitionSettings>,
  handler: TestHandler,
  options: { stopAfterBackoffs?: number } = {},
) {
  const invocations: number[][] = [];
  const commits: number[] = [];
  const sent: Array<{ offsets: number[]; reason: OnFailureReason }> = [];
  const backoffs: number[] = [];
  const warnings: string[] = [];
  const counters = emptyCounters();
  let failDestination = 0;
  let failCommit = 0;
  let running = true;
  const worker = new PartitionWorker(TOPIC, 0, {
    handler: 'horton-quote',
    settings: { batchSize: 100, retryAttempts: 3, maxRecordAgeSeconds: 3600, ...settings },
    cluster: localCluster(['127.0.0.1:9092']),
    invoke: async (event) => {
      const offsets = offsetsOf(event);
      invocations.push(offsets);
      return handler(offsets, invocations.length);
    },
    commit: async (next) => {
      if (failCommit > 0) {
        failCommit -= 1;
        throw new Error('The coordinator is not available');
      }
      commits.push(next);
    },
    sendToOnFailureDestination: async (failed, reason) => {
      if (failDestination > 0) {
        failDestination -= 1;
        throw new Error('dead-letter topic unavailable');
      }
      sent.push({ offsets: failed.map((record) => record.offset), reason });
    },
    backoff: async (attempt) => {
      backoffs.push(attempt);
      if (options.stopAfterBackoffs !== undefined && backoffs.length >= options.stopAfterBackoffs)
        running = false;
      return running;
    },
    isRunning: () => running,
    now: () => NOW,
    counters,
    log: { info: () => {}, warn: (message) => warnings.push(message), error: () => {} },
  });
  return {
    worker,
    warnings,
    invocations,
    commits,
    sent,
    backoffs,
    counters,
    failDestinationTimes: (times: number) => {
      failDestination = times;
    },
    failCommitTimes: (times: number) => {
      failCommit = times;
    },
  };
}

describe('PartitionWorker', () => {
  it('honours the batch size and commits after each successful batch', async () => {
    // Prepare
    const h = harness({ batchSize: 3 }, () => undefined);
    // Act
    await h.worker.process(records(7));
    // Assess
    expect(h.invocations).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(h.commits).toEqual([3, 6, 7]);
    expect(h.counters).toMatchObject({ invocations: 3, records: 7, failedInvocations: 0, retries: 0 });
  });

  it('partial failure: commits before the failed offset and re-delivers only from it', async () => {
    const h = harness({ batchSize: 5 }, (_offsets, call) =>
      call === 1 ? failAt(3) : { batchItemFailures: [] },
    );

    await h.worker.process(records(7));

    expect(h.invocations).toEqual([
      [0, 1, 2, 3, 4],
      [3, 4, 5, 6],
    ]);
    expect(h.commits).toEqual([3, 7]);
    expect(h.counters).toMatchObject({ invocations: 2, failedInvocations: 1, retries: 1, onFailureSends: 0 });
  });

  it('the lowest reported offset wins when several records fail', async () => {
    const h = harness({}, (_offsets, call) =>
      call === 1
        ? { batchItemFailures: [failAt(4).batchItemFailures[0], failAt(2).batchItemFailures[0]] }
        : undefined,
    );

    await h.worker.process(records(5));

    expect(h.invocations[1]).toEqual([2, 3, 4]);
    expect(h.commits).toEqual([2, 5]);
  });

  it('bounded retries: the failing record goes to the on-failure destination, delivery moves past it', async () => {
    const h = harness({ retryAttempts: 2 }, (offsets) => (offsets.includes(2) ? failAt(2) : {}));

    await h.worker.process(records(4));

    // First delivery + 2 retries of offset 2, then offset 3 alone.
    expect(h.invocations).toEqual([[0, 1, 2, 3], [2, 3], [2, 3], [3]]);
    expect(h.sent).toEqual([
      { offsets: [2], reason: expect.objectContaining({ code: 'retries-exhausted' }) },
    ]);
    expect(h.commits).toEqual([2, 3, 4]);
    expect(h.backoffs).toEqual([1, 2]);
    expect(h.counters).toMatchObject({ retries: 2, onFailureSends: 1, failedInvocations: 3 });
  });

  it('a thrown error retries the whole batch, then sends the whole batch on', async () => {
    const h = harness({ batchSize: 2, retryAttempts: 1 }, (offsets) => {
      if (offsets[0] === 0) throw new Error('boom');
      return undefined;
    });

    await h.worker.process(records(3));

    expect(h.invocations).toEqual([[0, 1], [0, 1], [2]]);
    expect(h.sent).toEqual([
      { offsets: [0, 1], reason: expect.objectContaining({ code: 'retries-exhausted' }) },
    ]);
    expect(h.sent[0]?.reason.message).toContain('boom');
    expect(h.commits).toEqual([2, 3]);
  });

  it('a thrown error once: the same batch is delivered again and nothing is committed in between', async () => {
    const h = harness({ batchSize: 2 }, (_offsets, call) => {
      if (call === 1) throw new Error('transient');
      return {};
    });

    await h.worker.process(records(2));

    expect(h.invocations).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(h.commits).toEqual([2]);
    expect(h.sent).toEqual([]);
  });

  it('an invalid response is a whole-batch failure', async () => {
    const h = harness({ retryAttempts: 0 }, () => ({
      batchItemFailures: [{ itemIdentifier: { partition: 'x-0', offset: 0 } }],
    }));

    await h.worker.process(records(2));

    expect(h.invocations).toEqual([[0, 1]]);
    expect(h.sent[0]?.offsets).toEqual([0, 1]);
    expect(h.sent[0]?.reason.message).toContain('not in the batch');
  });

  it('records older than maxRecordAgeSeconds go to the on-failure destination, not to the function', async () => {
    const stale = records(2, NOW - 7_200_000);
    const fresh = records(3).slice(2);
    const h = harness({ maxRecordAgeSeconds: 3600 }, () => undefined);

    await h.worker.process([...stale, ...fresh]);

    expect(h.sent).toEqual([
      { offsets: [0, 1], reason: expect.objectContaining({ code: 'record-age-exceeded' }) },
    ]);
    expect(h.invocations).toEqual([[2]]);
    expect(h.commits).toEqual([3]);
  });

  it('an expired record behind a partial failure is sent on only once', async () => {
    const batch = records(3);
    batch[2] = { ...(batch[2] as ConsumedRecord), timestamp: NOW - 7_200_000 };
    const h = harness({}, (_offsets, call) => (call === 1 ? failAt(1) : undefined));

    await h.worker.process(batch);

    expect(h.invocations).toEqual([[0, 1], [1]]);
    expect(h.sent).toHaveLength(1);
    expect(h.commits).toEqual([1, 3]);
  });

  it('keeps trying the on-failure destination and commits only once it accepted', async () => {
    const h = harness({ retryAttempts: 0 }, () => failAt(0));
    h.failDestinationTimes(2);

    await h.worker.process(records(1));

    expect(h.sent).toHaveLength(1);
    expect(h.backoffs).toEqual([1, 2]);
    expect(h.commits).toEqual([1]);
  });

  it('stops during a backoff without committing the failed batch', async () => {
    const h = harness(
      {},
      () => {
        throw new Error('down');
      },
      { stopAfterBackoffs: 1 },
    );

    await h.worker.process(records(2));

    expect(h.invocations).toHaveLength(1);
    expect(h.commits).toEqual([]);
  });

  it("keeps the handler's reason in the dead letter of a record that kept failing", async () => {
    // Prepare: the record fails every time, with the cause Horton's handlers report to the local runner
    const h = harness({ retryAttempts: 1 }, () => ({
      ...failAt(0),
      failureCauses: { 't-0@0': 'DynamoDB: connect ECONNREFUSED 127.0.0.1:4566' },
    }));

    // Act
    await h.worker.process(records(1));

    // Assess
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.reason).toEqual({
      code: 'retries-exhausted',
      message:
        'failed 2 time(s) (retryAttempts=1): handler reported t-0@0 as failed: DynamoDB: connect ECONNREFUSED 127.0.0.1:4566',
    });
  });

  it('says which handler, partition and offset it retries, and why, in one line', async () => {
    // Prepare: the handler reports the record failed with a multi-line cause, then succeeds
    const h = harness({ retryAttempts: 2 }, (_offsets, call) =>
      call === 1
        ? {
            ...failAt(0),
            failureCauses: {
              't-0@0': 'AlphaVantage GLOBAL_QUOTE: fetch failed: connect ECONNREFUSED\n  at x',
            },
          }
        : undefined,
    );

    // Act
    await h.worker.process(records(1));

    // Assess
    expect(h.warnings).toEqual([
      'horton-quote: invocation failed at t-0 offset 0; will retry (1 of 2): AlphaVantage GLOBAL_QUOTE: fetch failed: connect ECONNREFUSED',
    ]);
    expect(h.counters).toMatchObject({
      processed: 1,
      lastCause: 'AlphaVantage GLOBAL_QUOTE: fetch failed: connect ECONNREFUSED',
    });
  });

  it('counts what the handler reports it processed and dead-lettered', async () => {
    const h = harness({}, () => ({
      batchItemFailures: [],
      processed: 1,
      deadLetterCauses: { 't-0@1': 'OVERVIEW ZZZZ: no data' },
    }));

    await h.worker.process(records(2));

    expect(h.counters).toMatchObject({ processed: 1, deadLettered: 1, lastCause: 'OVERVIEW ZZZZ: no data' });
  });

  it('a commit failure after a successful invocation retries the commit, not the handler', async () => {
    // Prepare: the broker drops the first three commits (an outage), the handler always succeeds
    const h = harness({ batchSize: 2 }, () => undefined);
    h.failCommitTimes(3);

    // Act
    await h.worker.process(records(4));

    // Assess: each batch ran once; nothing counted as failed, nothing dead-lettered
    expect(h.invocations).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(h.commits).toEqual([2, 4]);
    expect(h.backoffs).toEqual([1, 2, 3]);
    expect(h.counters).toMatchObject({ invocations: 2, failedInvocations: 0, retries: 0, onFailureSends: 0 });
    expect(h.sent).toEqual([]);
  });

  it('gives up on a commit that keeps failing with a clear error, without re-running the handler', async () => {
    const h = harness({}, () => undefined);
    h.failCommitTimes(Number.POSITIVE_INFINITY);

    const outcome = h.worker.process(records(1));

    await expect(outcome).rejects.toThrow(DeliveryStalled);
    await expect(outcome).rejects.toThrow(/t-0: commit of offset 1 failed 30 times/);
    expect(h.invocations).toEqual([[0]]);
    expect(h.backoffs).toHaveLength(MAX_DELIVERY_ATTEMPTS - 1);
  });

  it('gives up on an on-failure destination that keeps refusing, with a clear error', async () => {
    const h = harness({ retryAttempts: 0 }, () => failAt(0));
    h.failDestinationTimes(Number.POSITIVE_INFINITY);

    const outcome = h.worker.process(records(2));

    await expect(outcome).rejects.toThrow(/t-0: the on-failure destination refused offsets 0 30 times/);
    expect(h.commits).toEqual([]);
    expect(h.backoffs).toHaveLength(MAX_DELIVERY_ATTEMPTS - 1);
  });
});
