/**
 * processKafkaBatch with a real Powertools Logger:
 * - a poison record is dead-lettered with its original base64 key/value, headers and coordinates, and the batch
 *   goes on;
 * - a transient failure becomes ONE batch item failure `{ partition: "<topic>-<partition>", offset }` at the
 *   lowest failed offset, the rest of that partition is skipped, other partitions go on;
 * - a failed dead-letter publish is reported as an item failure, so nothing is lost.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { withDeadline } from '../../functions/shared/deadline.ts';
import { DomainValidationError } from '../../functions/shared/domain/errors.ts';
import { DeferredError, PermanentError, TransientError } from '../../functions/shared/errors.ts';
import {
  type BatchOptions,
  DEFERRED_SINCE_HEADER,
  MAX_DEAD_LETTER_BYTES,
  processKafkaBatch,
} from '../../functions/shared/kafka/batch.ts';
import type { KafkaEvent, KafkaRecord, RawKafkaRecord } from '../../functions/shared/kafka/event.ts';
import { ContractViolation, type DeadLetter, deadLetterSchema, decodeMessage } from '../../model/messages.ts';
import { loadJsonFixture } from '../support/fixtures.ts';

const FAILED_AT = new Date('2026-05-15T14:00:05.000Z');

/** The log lines the real Logger writes (stdout for info, stderr for warn/error), parsed. */
interface Captured {
  lines: Array<Record<string, unknown>>;
  restore(): void;
}
function captureLogs(): Captured {
  const lines: Array<Record<string, unknown>> = [];
  const collect = (chunk: string | Uint8Array) => {
    for (const line of String(chunk)
      .split('\n')
      .filter((text) => text.trim() !== '')) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line (another writer); ignore
      }
    }
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(collect);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(collect);
  return {
    lines,
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

/** Runs the batch with the real Logger's lines captured; the streams are restored even when it throws. */
async function processWithLogs(event: unknown, options: BatchOptions) {
  const captured = captureLogs();
  try {
    return { outcome: await processKafkaBatch(event, options), logs: captured.lines };
  } finally {
    captured.restore();
  }
}

function realLogger(): Logger {
  return new Logger({ serviceName: 'horton-batch-test', logLevel: 'INFO' });
}

/** A raw MSK record for a Horton topic. */
function raw(topic: string, partition: number, offset: number, value: string, key: string | null = 'IBM') {
  return {
    topic,
    partition,
    offset,
    timestamp: 1_747_317_600_000 + offset,
    timestampType: 'CREATE_TIME',
    key: key === null ? null : Buffer.from(key).toString('base64'),
    value: Buffer.from(value).toString('base64'),
    headers: [{ 'correlation-id': [...Buffer.from('corr-1')] }],
  } satisfies RawKafkaRecord;
}

function mskEvent(records: RawKafkaRecord[]): KafkaEvent {
  const grouped: Record<string, RawKafkaRecord[]> = {};
  for (const record of records) {
    const key = `${record.topic}-${record.partition}`;
    grouped[key] = [...(grouped[key] ?? []), record];
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn:
      'arn:aws:kafka:us-east-1:123456789012:cluster/horton/00000000-0000-4000-8000-000000000000-1',
    records: grouped,
  };
}

/** Batch options that record what happens; `fail` decides per record. */
function recorder(fail: (record: KafkaRecord) => unknown = () => undefined) {
  const processed: string[] = [];
  const deadLetters: DeadLetter[] = [];
  const options: BatchOptions = {
    handler: 'quote',
    logger: realLogger(),
    now: () => FAILED_AT,
    processRecord: async (record) => {
      const error = fail(record);
      if (error !== undefined) throw error;
      processed.push(`${record.topic}-${record.partition}@${record.offset}`);
    },
    publishDeadLetters: async (letters) => {
      deadLetters.push(...letters);
    },
  };
  return { options, processed, deadLetters };
}

/** The quote handler's decoding step alone: poison records throw, valid ones pass. */
const decodeAsQuote: BatchOptions['processRecord'] = async (record) => {
  decodeMessage('quote', record.value);
};

const at = (record: KafkaRecord, partition: number, offset: number) =>
  record.partition === partition && record.offset === offset;

describe('processKafkaBatch: poison records from the real Lambda samples', () => {
  it('dead-letters a record that is not a Horton command, with its original bytes and coordinates', async () => {
    // Prepare: the aws-lambda-go sample (signed header bytes) against the quote contract
    const event = loadJsonFixture<KafkaEvent>('lambda-events', 'msk-aws-lambda-go.json');
    const original = event.records['AWSKafkaTopic-0']?.[0];
    const { options, deadLetters } = recorder();
    options.processRecord = decodeAsQuote;

    // Act
    const { outcome, logs } = await processWithLogs(event, options);

    // Assess
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(outcome).toMatchObject({ processed: 0, deadLettered: 1, failed: 0, skipped: 0 });
    expect(deadLetters).toHaveLength(1);
    const [letter] = deadLetters;
    expect(deadLetterSchema.parse(JSON.parse(JSON.stringify(letter)))).toEqual(letter);
    expect(letter).toMatchObject({
      type: 'dead-letter',
      v: 1,
      handler: 'quote',
      failedAt: FAILED_AT.toISOString(),
      source: { topic: 'AWSKafkaTopic', partition: 0, offset: '0', timestamp: 1595035749700 },
      originalKey: original?.key,
      originalValue: original?.value,
    });
    expect(letter?.reason.code).toBe('undecodable');
    // Header [118, -36, 0, 127, -128] -> octets 76 dc 00 7f 80, kept as base64
    expect(letter?.originalHeaders).toEqual([
      { headerKey: Buffer.from([0x76, 0xdc, 0x00, 0x7f, 0x80]).toString('base64') },
    ]);
    const warning = logs.find((line) => line.message === 'record dead-lettered');
    expect(warning).toMatchObject({
      level: 'WARN',
      topic: 'AWSKafkaTopic',
      partition: 0,
      offset: 0,
      code: 'undecodable',
    });
  });

  it('dead-letters every record of a sample, key absent and key null included, and processes none', async () => {
    // Prepare: three JSON records that are not quote commands; offset 16 has no key, 17 a null key
    const event = loadJsonFixture<KafkaEvent>('lambda-events', 'msk-powertools-ts-kafka-default.json');
    const { options, deadLetters } = recorder();
    options.processRecord = decodeAsQuote;

    // Act
    const { outcome } = await processWithLogs(event, options);

    // Assess
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(
      deadLetters.map((letter) => [letter.source.offset, letter.reason.code, letter.originalKey]),
    ).toEqual([
      ['15', 'schema-invalid', 'cmVjb3JkS2V5'],
      ['16', 'schema-invalid', null],
      ['17', 'schema-invalid', null],
    ]);
    const rawValues = event.records['mytopic-0']?.map((record) => record.value);
    expect(deadLetters.map((letter) => letter.originalValue)).toEqual(rawValues);
  });
});

describe('processKafkaBatch: dead letters', () => {
  it('dead-letters a poison record and goes on with the rest of its partition', async () => {
    // Prepare: offset 11 is poison; 10 and 12 are fine
    const event = mskEvent([
      raw('horton.quote', 0, 10, 'ok'),
      raw('horton.quote', 0, 11, 'poison', null),
      raw('horton.quote', 0, 12, 'ok'),
    ]);
    const { options, processed, deadLetters } = recorder((record) =>
      record.offset === 11
        ? new ContractViolation('schema-invalid', 'not a valid quote message: type: wrong')
        : undefined,
    );

    // Act
    const { outcome } = await processWithLogs(event, options);

    // Assess
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(processed).toEqual(['horton.quote-0@10', 'horton.quote-0@12']);
    expect(outcome).toMatchObject({ processed: 2, deadLettered: 1, failed: 0, skipped: 0 });
    expect(deadLetters[0]).toMatchObject({
      reason: { code: 'schema-invalid', message: 'not a valid quote message: type: wrong' },
      source: { topic: 'horton.quote', partition: 0, offset: '11' },
      originalKey: null,
      originalValue: Buffer.from('poison').toString('base64'),
      originalHeaders: [{ 'correlation-id': Buffer.from('corr-1').toString('base64') }],
    });
  });

  it.each([
    ['a PermanentError', new PermanentError('premium-only', 'premium only'), 'premium-only'],
    ['a domain validation error', new DomainValidationError('price must be finite'), 'invalid-data'],
  ])('dead-letters %s with its code', async (_what, error, code) => {
    // Prepare
    const event = mskEvent([raw('horton.history', 2, 7, 'x')]);
    const { options, deadLetters } = recorder(() => error);

    // Act
    const { outcome } = await processWithLogs(event, options);

    // Assess
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(deadLetters.map((letter) => letter.reason.code)).toEqual([code]);
  });
});

describe('processKafkaBatch: dead letters of large records', () => {
  /** A poison record of `size` bytes (not JSON), as the real 1 MiB-class records that blocked a partition. */
  const poisonOf = (size: number, offset: number) => {
    const value = Buffer.alloc(size, 0x41);
    value.write('not json', 0);
    return { value, raw: { ...raw('horton.quote', 0, offset, ''), value: value.toString('base64') } };
  };

  it('cuts an original value that would not fit, with its length, SHA-256 and the kept prefix', async () => {
    // Prepare: 1 MiB (base64 alone would exceed the broker's 1 MiB default), then a good record
    const poison = poisonOf(1024 * 1024, 5);
    const event = mskEvent([poison.raw, raw('horton.quote', 0, 6, 'ok')]);
    const { options, processed, deadLetters } = recorder((record) =>
      record.offset === 5 ? new ContractViolation('undecodable', 'value is not JSON') : undefined,
    );

    // Act
    const { outcome } = await processWithLogs(event, options);

    // Assess: deliverable, self-describing, and the partition went on
    expect(outcome).toMatchObject({ deadLettered: 1, failed: 0 });
    expect(processed).toEqual(['horton.quote-0@6']);
    const [letter] = deadLetters as [DeadLetter];
    expect(Buffer.byteLength(JSON.stringify(letter))).toBeLessThanOrEqual(MAX_DEAD_LETTER_BYTES);
    expect(letter.originalValueCut).toEqual({
      length: poison.value.length,
      sha256: createHash('sha256').update(poison.value).digest('hex'),
      keptBytes: expect.any(Number),
    });
    const kept = Buffer.from(letter.originalValue ?? '', 'base64');
    expect(kept.length).toBe(letter.originalValueCut?.keptBytes);
    expect(kept.length).toBeGreaterThan(600_000);
    expect(kept.equals(poison.value.subarray(0, kept.length))).toBe(true);
    expect(deadLetterSchema.parse(letter)).toMatchObject({ source: { offset: '5' } });
  });

  it('keeps a value that fits whole, without a cut marker', async () => {
    // Prepare: 600 KB, whose base64 (800 KB) still fits
    const poison = poisonOf(600_000, 3);
    const { options, deadLetters } = recorder(
      () => new ContractViolation('undecodable', 'value is not JSON'),
    );

    // Act
    await processWithLogs(mskEvent([poison.raw]), options);

    // Assess
    expect(deadLetters[0]?.originalValue).toBe(poison.value.toString('base64'));
    expect(deadLetters[0]?.originalValueCut).toBeUndefined();
  });
});

describe('processKafkaBatch: transient failures', () => {
  it('reports one failure at the lowest failed offset, skips the rest of that partition, continues the others', async () => {
    // Prepare: partition 0 fails transiently at 21 (and would at 23); partition 1 is healthy
    const event = mskEvent([
      raw('horton.quote', 0, 20, 'a'),
      raw('horton.quote', 0, 21, 'b'),
      raw('horton.quote', 0, 22, 'c'),
      raw('horton.quote', 0, 23, 'd'),
      raw('horton.quote', 1, 5, 'e'),
      raw('horton.quote', 1, 6, 'f'),
    ]);
    const { options, processed, deadLetters } = recorder((record) =>
      at(record, 0, 21) || at(record, 0, 23) ? new TransientError('http-status', 'HTTP 503') : undefined,
    );

    // Act
    const { outcome, logs } = await processWithLogs(event, options);

    // Assess
    expect(outcome.response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'horton.quote-0', offset: 21 } },
    ]);
    expect(processed.sort()).toEqual(['horton.quote-0@20', 'horton.quote-1@5', 'horton.quote-1@6']);
    expect(outcome).toMatchObject({ processed: 3, deadLettered: 0, failed: 1, skipped: 2 });
    expect([...outcome.failureCauses.keys()]).toEqual(['horton.quote-0@21']);
    expect(deadLetters).toEqual([]);
    expect(logs.find((line) => line.message === 'record failed transiently; will be retried')).toMatchObject({
      level: 'WARN',
      topic: 'horton.quote',
      partition: 0,
      offset: 21,
      code: 'http-status',
    });
  });

  it('reports the lowest failed offset even when the event lists records out of order', async () => {
    // Prepare
    const event = mskEvent([
      raw('horton.quote', 0, 33, 'd'),
      raw('horton.quote', 0, 31, 'b'),
      raw('horton.quote', 0, 32, 'c'),
      raw('horton.quote', 0, 30, 'a'),
    ]);
    const { options, processed } = recorder((record) =>
      record.offset >= 31 ? new TransientError('http-network', 'reset') : undefined,
    );

    // Act
    const { outcome } = await processWithLogs(event, options);

    // Assess
    expect(processed).toEqual(['horton.quote-0@30']);
    expect(outcome.response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'horton.quote-0', offset: 31 } },
    ]);
  });

  it('reports one failure per failing partition', async () => {
    // Prepare
    const event = mskEvent([
      raw('horton.quote', 0, 1, 'a'),
      raw('horton.quote', 1, 1, 'b'),
      raw('horton.quote', 2, 4, 'c'),
      raw('horton.quote', 2, 5, 'd'),
    ]);
    const { options } = recorder((record) =>
      at(record, 0, 1) || at(record, 2, 5) ? new TransientError('alphavantage-limit', 'limit') : undefined,
    );

    // Act
    const { outcome } = await processWithLogs(event, options);

    // Assess
    const failures = outcome.response.batchItemFailures.map((failure) => failure.itemIdentifier);
    expect(failures.sort((a, b) => a.partition.localeCompare(b.partition))).toEqual([
      { partition: 'horton.quote-0', offset: 1 },
      { partition: 'horton.quote-2', offset: 5 },
    ]);
  });

  it.each([
    ['an unknown Error', new Error('socket hang up')],
    ['a thrown string', 'boom'],
  ])('treats %s as transient: never silently dropped', async (_what, thrown) => {
    // Prepare
    const event = mskEvent([raw('horton.overview', 0, 3, 'x'), raw('horton.overview', 0, 4, 'y')]);
    const { options, deadLetters, processed } = recorder((record) =>
      record.offset === 3 ? thrown : undefined,
    );

    // Act
    const { outcome } = await processWithLogs(event, options);

    // Assess
    expect(outcome.response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'horton.overview-0', offset: 3 } },
    ]);
    expect(deadLetters).toEqual([]);
    expect(processed).toEqual([]);
  });

  it('processes partitions independently: a slow partition does not hold the others back', async () => {
    // Prepare: partition 0's first record waits until partition 1 has finished
    let releasePartition0: () => void = () => {};
    const partition1Done = new Promise<void>((resolve) => {
      releasePartition0 = resolve;
    });
    const event = mskEvent([raw('horton.quote', 0, 1, 'slow'), raw('horton.quote', 1, 1, 'fast')]);
    const order: string[] = [];
    const { options } = recorder();
    options.processRecord = async (record) => {
      if (record.partition === 0) await partition1Done;
      order.push(`p${record.partition}`);
      if (record.partition === 1) releasePartition0();
    };

    // Act
    const outcome = await processKafkaBatch(event, options);

    // Assess
    expect(order).toEqual(['p1', 'p0']);
    expect(outcome.processed).toBe(2);
  }, 2_000);
});

describe('processKafkaBatch: dead-letter publish failures', () => {
  it('reports the record as an item failure when its dead letter cannot be written, nothing is lost', async () => {
    // Prepare: offset 41 is poison and the dead-letter topic is unavailable; partition 1 is healthy
    const event = mskEvent([
      raw('horton.indicators', 0, 40, 'ok'),
      raw('horton.indicators', 0, 41, 'poison'),
      raw('horton.indicators', 0, 42, 'ok'),
      raw('horton.indicators', 1, 9, 'ok'),
    ]);
    const { options, processed } = recorder((record) =>
      at(record, 0, 41) ? new PermanentError('api-error', 'Invalid API call') : undefined,
    );
    options.publishDeadLetters = async () => {
      throw new Error('KafkaJSNumberOfRetriesExceeded: broker unavailable');
    };

    // Act
    const { outcome, logs } = await processWithLogs(event, options);

    // Assess
    expect(outcome.response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'horton.indicators-0', offset: 41 } },
    ]);
    expect(processed.sort()).toEqual(['horton.indicators-0@40', 'horton.indicators-1@9']);
    expect(outcome).toMatchObject({ processed: 2, deadLettered: 0, failed: 1, skipped: 1 });
    expect(logs.find((line) => line.level === 'ERROR')).toMatchObject({
      message: 'dead-letter publish failed; record will be retried',
      topic: 'horton.indicators',
      partition: 0,
      offset: 41,
      error: 'KafkaJSNumberOfRetriesExceeded: broker unavailable',
    });
  });
});

describe('processKafkaBatch: invalid events', () => {
  it('rejects the whole invocation when the event is not a Kafka event, processing nothing', async () => {
    // Prepare
    const { options, processed } = recorder();

    // Act
    const run = processKafkaBatch({ 'detail-type': 'Scheduled Event', source: 'aws.events' }, options);

    // Assess
    await expect(run).rejects.toThrow(/Not an MSK or self-managed Kafka event/);
    expect(processed).toEqual([]);
  });

  it('answers an event without records with no failures', async () => {
    // Prepare
    const { options } = recorder();

    // Act
    const { outcome } = await processWithLogs(mskEvent([]), options);

    // Assess
    expect(outcome).toEqual({
      response: { batchItemFailures: [] },
      processed: 0,
      deadLettered: 0,
      failed: 0,
      skipped: 0,
      deferred: 0,
      failureCauses: new Map(),
      deadLetterCauses: new Map(),
    });
  });
});

describe('processKafkaBatch near the invocation deadline', () => {
  it('leaves the records it can no longer finish for redelivery, from the first one not started', async () => {
    // Prepare: two partitions; the deadline check turns true after two records have been started
    const event = mskEvent([
      raw('horton.quote', 0, 10, '{}'),
      raw('horton.quote', 0, 11, '{}'),
      raw('horton.quote', 0, 12, '{}'),
      raw('horton.quote', 1, 20, '{}'),
    ]);
    const { options, processed } = recorder();
    let checks = 0;
    options.shouldStop = () => {
      checks += 1;
      return checks > 2;
    };

    // Act
    const { outcome, logs } = await processWithLogs(event, options);

    // Assess: nothing lost, nothing dead-lettered: every record not started is covered by an item failure
    expect(outcome.deadLettered).toBe(0);
    expect(processed).toHaveLength(2);
    const failures = outcome.response.batchItemFailures.map((failure) => failure.itemIdentifier);
    const notStarted = [
      'horton.quote-0@10',
      'horton.quote-0@11',
      'horton.quote-0@12',
      'horton.quote-1@20',
    ].filter((id) => !processed.includes(id));
    for (const id of notStarted) {
      const [partition, offset] = id.split('@') as [string, string];
      const covering = failures.find((failure) => failure.partition === partition);
      expect(covering, id).toBeDefined();
      expect(covering?.offset, id).toBeLessThanOrEqual(Number(offset));
    }
    expect(logs.some((line) => line.message === 'invocation deadline near: record left for redelivery')).toBe(
      true,
    );
  });
});

describe('processKafkaBatch: deferrals (no AlphaVantage slot before the deadline)', () => {
  const deferral = () => new DeferredError('alphavantage-budget', 'no slot before the deadline', 3_600_000);

  it('holds until the deadline, then hands the record and the rest of its partition back, reporting no failure', async () => {
    // Prepare: partition 0 is deferred at 31; partition 1 is healthy
    const event = mskEvent([
      raw('horton.quote', 0, 30, 'a'),
      raw('horton.quote', 0, 31, 'b'),
      raw('horton.quote', 0, 32, 'c'),
      raw('horton.quote', 1, 7, 'd'),
    ]);
    const { options, processed, deadLetters } = recorder((record) =>
      at(record, 0, 31) ? deferral() : undefined,
    );
    const parked: Array<{ offsets: number[]; since: string }> = [];
    options.park = async (records, since) => {
      parked.push({ offsets: records.map((record) => record.offset), since });
    };
    const holds: number[] = [];
    options.sleep = async (ms) => {
      holds.push(ms);
    };
    const deadline = FAILED_AT.getTime() + 90_000;

    // Act
    const { outcome } = await withDeadline(deadline, () => processWithLogs(event, options));

    // Assess: not a failure, not a dead letter; held until the deadline (not the hour the budget needs)
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(deadLetters).toEqual([]);
    expect(outcome).toMatchObject({ processed: 2, failed: 0, deferred: 2 });
    expect(processed.sort()).toEqual(['horton.quote-0@30', 'horton.quote-1@7']);
    expect(parked).toEqual([{ offsets: [31, 32], since: FAILED_AT.toISOString() }]);
    expect(holds.reduce((sum, ms) => sum + ms, 0)).toBe(90_000);
  });

  it('ends the hold early when told to stop (the runner shuts down), handing the records back', async () => {
    // Prepare: deferred for an hour; the stop comes after three seconds of holding
    const event = mskEvent([raw('horton.quote', 0, 40, 'a'), raw('horton.quote', 0, 41, 'b')]);
    const { options } = recorder((record) => (at(record, 0, 40) ? deferral() : undefined));
    const parked: number[][] = [];
    options.park = async (records) => {
      parked.push(records.map((record) => record.offset));
    };
    let held = 0;
    options.sleep = async (ms) => {
      held += ms;
    };
    options.shouldStop = () => held >= 3_000;

    // Act
    const { outcome } = await withDeadline(FAILED_AT.getTime() + 600_000, () =>
      processWithLogs(event, options),
    );

    // Assess
    expect(held).toBe(3_000);
    expect(parked).toEqual([[40, 41]]);
    expect(outcome).toMatchObject({ processed: 0, failed: 0, deferred: 2 });
  });

  it('hands back, rather than fails, the records it has no time left to start', async () => {
    // Prepare: the deadline check turns true after one record
    const event = mskEvent([raw('horton.quote', 0, 50, 'a'), raw('horton.quote', 0, 51, 'b')]);
    const { options, processed } = recorder();
    let checks = 0;
    options.shouldStop = () => {
      checks += 1;
      return checks > 1;
    };
    const parked: number[][] = [];
    options.park = async (records) => {
      parked.push(records.map((record) => record.offset));
    };

    // Act
    const { outcome } = await processWithLogs(event, options);

    // Assess
    expect(processed).toEqual(['horton.quote-0@50']);
    expect(parked).toEqual([[51]]);
    expect(outcome.response.batchItemFailures).toEqual([]);
    expect(outcome).toMatchObject({ failed: 0, deferred: 1 });
  });

  it('keeps the first deferral time of a record handed back before', async () => {
    // Prepare
    const since = new Date(FAILED_AT.getTime() - 3_600_000).toISOString();
    const record = {
      ...raw('horton.quote', 0, 40, 'a'),
      headers: [{ [DEFERRED_SINCE_HEADER]: [...Buffer.from(since)] }],
    };
    const { options } = recorder(() => deferral());
    const parked: string[] = [];
    options.park = async (_records, first) => {
      parked.push(first);
    };

    // Act
    await processWithLogs(mskEvent([record]), options);

    // Assess
    expect(parked).toEqual([since]);
  });

  it('dead-letters a record deferred for longer than two days: nothing waits forever', async () => {
    // Prepare
    const since = new Date(FAILED_AT.getTime() - 49 * 3_600_000).toISOString();
    const record = {
      ...raw('horton.quote', 0, 41, 'a'),
      headers: [{ [DEFERRED_SINCE_HEADER]: [...Buffer.from(since)] }],
    };
    const { options, deadLetters } = recorder(() => deferral());
    options.park = async () => {
      throw new Error('must not be parked');
    };

    // Act
    const { outcome } = await processWithLogs(mskEvent([record]), options);

    // Assess
    expect(outcome.deadLettered).toBe(1);
    expect(deadLetters[0]?.reason.code).toBe('deferred-too-long');
  });

  it('reports a batch item failure when the records cannot be handed back: nothing is lost', async () => {
    // Prepare
    const { options, deadLetters } = recorder(() => deferral());
    options.park = async () => {
      throw new Error('broker unavailable');
    };

    // Act
    const { outcome } = await processWithLogs(mskEvent([raw('horton.quote', 2, 5, 'a')]), options);

    // Assess
    expect(outcome.response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'horton.quote-2', offset: 5 } },
    ]);
    expect(deadLetters).toEqual([]);
  });
});
