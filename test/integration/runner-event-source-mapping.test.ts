/**
 * The local MSK event source mapping against the real broker of the test stack, with test handlers of our own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { decodeKafkaEvent, kafkaEventSchema } from '../../functions/shared/kafka/event.ts';
import {
  type EventSourceMapping,
  type EventSourceMappingOptions,
  startEventSourceMapping,
} from '../../localstack/runner/event-source-mapping.ts';
import type { LambdaHandler } from '../../localstack/runner/lambda-context.ts';
import { ensureTopics } from '../../localstack/runner/topics.ts';
import type { HortonConfig } from '../../model/config.ts';
import { deadLetterSchema } from '../../model/messages.ts';
import { LAMBDA_EVENTS_DIR } from '../support/fixtures.ts';
import { readTopicAt } from '../support/kafka.ts';
import { produce, uniqueConfig } from '../support/runner-support.ts';

const { kafkaBrokers } = inject('localStack');

const lambdaEvents = LAMBDA_EVENTS_DIR;

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const started: EventSourceMapping[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((mapping) => mapping.stop()));
});

async function startMapping(
  config: HortonConfig,
  handler: LambdaHandler,
  overrides: Partial<EventSourceMappingOptions> = {},
): Promise<EventSourceMapping> {
  const mapping = await startEventSourceMapping({
    config,
    role: 'quote',
    handler,
    brokers: kafkaBrokers,
    retryBackoff: { initialMs: 20, maxMs: 100 },
    log: quiet,
    ...overrides,
  });
  started.push(mapping);
  return mapping;
}

/** Records every event it receives (deep copy) and answers with `respond`. */
function recordingHandler(respond: (event: unknown, call: number) => unknown = () => undefined) {
  const events: unknown[] = [];
  const handler: LambdaHandler = async (event) => {
    events.push(structuredClone(event));
    return respond(event, events.length);
  };
  const offsets = () =>
    events.map((event) => [...decodeKafkaEvent(event).values()].flat().map((record) => record.offset));
  return { events, handler, offsets };
}

async function preparedConfig(consumers: Record<string, number> = {}): Promise<HortonConfig> {
  const config = uniqueConfig({ consumers: { maxBatchingWindowSeconds: 0, ...consumers } });
  await ensureTopics(kafkaBrokers, config, { roles: ['quote', 'deadLetter'] });
  return config;
}

function failureAt(event: unknown, predicate: (value: string) => boolean) {
  const failed = [...decodeKafkaEvent(event).entries()].flatMap(([partition, records]) =>
    records
      .filter((record) => predicate(record.value?.toString() ?? ''))
      .map((record) => ({ partition, record })),
  )[0];
  return failed
    ? {
        batchItemFailures: [
          { itemIdentifier: { partition: failed.partition, offset: failed.record.offset } },
        ],
      }
    : { batchItemFailures: [] };
}

describe('local MSK event source mapping', () => {
  it('delivers events in the MSK shape that decode back to the produced bytes', async () => {
    // Prepare: a binary header (bytes above 127 become negative Java bytes) and a record without key
    const config = await preparedConfig();
    const headerBytes = Buffer.from([0x76, 0xdc, 0x00, 0x7f, 0x80]);
    await produce(kafkaBrokers, config.topics.quote.name, [
      { key: 'IBM', value: '{"n":1}', headers: { 'correlation-id': 'c-1', bin: headerBytes } },
      { key: null, value: Buffer.from([0x00, 0xff, 0x10]) },
    ]);
    const recorder = recordingHandler();

    // Act
    const mapping = await startMapping(config, recorder.handler);
    await mapping.idle();

    // Assess
    expect(recorder.events).toHaveLength(1);
    const event = recorder.events[0] as { records: Record<string, Array<Record<string, unknown>>> };
    expect(kafkaEventSchema.safeParse(event).success).toBe(true);
    expect(event).toMatchObject({ eventSource: 'aws:kafka', bootstrapServers: kafkaBrokers.join(',') });
    const [first, second] = decodeKafkaEvent(event).get(`${config.topics.quote.name}-0`) ?? [];
    expect(first?.key?.toString()).toBe('IBM');
    expect(first?.value?.toString()).toBe('{"n":1}');
    expect(first?.headers.find((h) => h.name === 'bin')?.value.equals(headerBytes)).toBe(true);
    expect(event.records[`${config.topics.quote.name}-0`]?.[0]?.headers).toContainEqual({
      bin: [118, -36, 0, 127, -128],
    });
    expect(second?.key).toBeNull();
    expect(second?.value?.equals(Buffer.from([0x00, 0xff, 0x10]))).toBe(true);
    expect(event.records[`${config.topics.quote.name}-0`]?.[0]?.timestampType).toBe('CREATE_TIME');
  });

  it('builds events like the real samples: same schema, same fields per record', async () => {
    // Prepare
    const config = await preparedConfig();
    await produce(kafkaBrokers, config.topics.quote.name, [
      { key: 'k', value: 'v', headers: { headerKey: 'x' } },
    ]);
    const recorder = recordingHandler();
    const sample = JSON.parse(readFileSync(path.join(lambdaEvents, 'msk-awsdocs.json'), 'utf8')) as {
      records: Record<string, Array<Record<string, unknown>>>;
    };
    const mskSamples = readdirSync(lambdaEvents).filter((file) => file.startsWith('msk-'));

    // Act
    const mapping = await startMapping(config, recorder.handler);
    await mapping.idle();

    // Assess: the schema that accepts every real MSK sample accepts ours, with the developer guide's fields
    for (const file of mskSamples) {
      const real = JSON.parse(readFileSync(path.join(lambdaEvents, file), 'utf8'));
      expect(kafkaEventSchema.safeParse(real).success, file).toBe(true);
    }
    const event = recorder.events[0] as { records: Record<string, Array<Record<string, unknown>>> };
    expect(kafkaEventSchema.safeParse(event).success).toBe(true);
    expect(Object.keys(event).sort()).toEqual(Object.keys(sample).sort());
    const sampleKeys = Object.keys(Object.values(sample.records)[0]?.[0] ?? {}).sort();
    for (const record of Object.values(event.records).flat())
      expect(Object.keys(record).sort()).toEqual(sampleKeys);
  });

  it('honours the batch size', async () => {
    // Prepare
    const config = await preparedConfig({ batchSize: 4 });
    await produce(
      kafkaBrokers,
      config.topics.quote.name,
      Array.from({ length: 10 }, (_, index) => ({ key: `k${index}`, value: `v${index}` })),
    );
    const recorder = recordingHandler();

    // Act
    const mapping = await startMapping(config, recorder.handler);
    await mapping.idle();

    // Assess: every record exactly once, never more than 4 per event, and really batched
    const sizes = recorder.offsets().map((offsets) => offsets.length);
    expect(Math.max(...sizes)).toBe(4);
    expect(recorder.offsets().flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(mapping.counters).toMatchObject({ records: 10, failedInvocations: 0 });
  });

  it('partial batch failure: retries from the failed offset only, earlier records are not re-delivered', async () => {
    // Prepare: offset 3 fails the first time it is seen
    const config = await preparedConfig();
    await produce(
      kafkaBrokers,
      config.topics.quote.name,
      Array.from({ length: 6 }, (_, index) => ({ key: 'IBM', value: `v${index}` })),
    );
    let failedOnce = false;
    const recorder = recordingHandler((event) => {
      if (failedOnce) return { batchItemFailures: [] };
      failedOnce = true;
      return failureAt(event, (value) => value === 'v3');
    });

    // Act
    const mapping = await startMapping(config, recorder.handler);
    await mapping.idle();

    // Assess
    expect(recorder.offsets()).toEqual([
      [0, 1, 2, 3, 4, 5],
      [3, 4, 5],
    ]);
    expect(await mapping.lag()).toBe(0);
    expect(mapping.counters).toMatchObject({ invocations: 2, retries: 1, onFailureSends: 0 });
  });

  it('bounded retries: the exhausted record lands in the dead-letter topic with its original bytes', async () => {
    // Prepare: the middle record always fails; its value is not valid UTF-8, its key and header are set
    const config = await preparedConfig({ retryAttempts: 2 });
    const poison = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]);
    await produce(kafkaBrokers, config.topics.quote.name, [
      { key: 'A', value: 'ok-0' },
      { key: 'POISON', value: poison, headers: { 'correlation-id': 'corr-42' } },
      { key: 'B', value: 'ok-2' },
    ]);
    const recorder = recordingHandler((event) => failureAt(event, (value) => !value.startsWith('ok-')));

    // Act
    const mapping = await startMapping(config, recorder.handler);
    await mapping.idle();
    const deadLetters = await readTopicAt(kafkaBrokers, config.topics.deadLetter.name);

    // Assess: delivered 1 + 2 retries, then moved past; the record after it is delivered once more alone
    expect(recorder.offsets()).toEqual([[0, 1, 2], [1, 2], [1, 2], [2]]);
    expect(deadLetters).toHaveLength(1);
    const deadLetter = deadLetterSchema.parse(JSON.parse(deadLetters[0]?.value?.toString() ?? 'null'));
    expect(deadLetter.reason.code).toBe('retries-exhausted');
    expect(deadLetter.source).toMatchObject({ topic: config.topics.quote.name, partition: 0, offset: '1' });
    expect(deadLetter.handler).toBe(mapping.functionName);
    expect(deadLetter.correlationId).toBe('corr-42');
    expect(Buffer.from(deadLetter.originalValue ?? '', 'base64').equals(poison)).toBe(true);
    expect(Buffer.from(deadLetter.originalKey ?? '', 'base64').toString()).toBe('POISON');
    expect(deadLetters[0]?.headers['dead-letter-reason']).toBe('retries-exhausted');
    expect(mapping.counters).toMatchObject({ retries: 2, onFailureSends: 1 });
    expect(await mapping.lag()).toBe(0);
  });

  it('a throwing handler gets the whole batch again', async () => {
    // Prepare: two failures, then success
    const config = await preparedConfig({ retryAttempts: 3 });
    await produce(kafkaBrokers, config.topics.quote.name, [
      { key: 'A', value: 'a' },
      { key: 'B', value: 'b' },
      { key: 'C', value: 'c' },
    ]);
    const recorder = recordingHandler((_event, call) => {
      if (call <= 2) throw new Error(`simulated outage ${call}`);
      return undefined;
    });

    // Act
    const mapping = await startMapping(config, recorder.handler);
    await mapping.idle();

    // Assess
    expect(recorder.offsets()).toEqual([
      [0, 1, 2],
      [0, 1, 2],
      [0, 1, 2],
    ]);
    expect(mapping.counters).toMatchObject({ failedInvocations: 2, retries: 2, onFailureSends: 0 });
    expect(await readTopicAt(kafkaBrokers, config.topics.deadLetter.name)).toEqual([]);
  });

  it('resumes from the committed offsets of its stable consumer group after a restart', async () => {
    // Prepare: one cycle consumed and committed
    const config = await preparedConfig();
    await produce(kafkaBrokers, config.topics.quote.name, [{ key: 'A', value: 'first' }]);
    const firstRun = recordingHandler();
    const first = await startMapping(config, firstRun.handler);
    await first.idle();
    await first.stop();
    await produce(kafkaBrokers, config.topics.quote.name, [{ key: 'A', value: 'second' }]);
    const secondRun = recordingHandler();

    // Act
    const second = await startMapping(config, secondRun.handler);
    await second.idle();

    // Assess
    expect(second.groupId).toBe(`${config.prefix}-quote-handler`);
    expect(firstRun.offsets()).toEqual([[0]]);
    expect(secondRun.offsets()).toEqual([[1]]);
  });

  it('a new group starting at LATEST skips what was already in the topic', async () => {
    // Prepare
    const config = uniqueConfig({ consumers: { maxBatchingWindowSeconds: 0, startingPosition: 'LATEST' } });
    await ensureTopics(kafkaBrokers, config, { roles: ['quote', 'deadLetter'] });
    await produce(kafkaBrokers, config.topics.quote.name, [{ key: 'A', value: 'before' }]);
    const recorder = recordingHandler();

    // Act
    const mapping = await startMapping(config, recorder.handler);
    const lagAtStart = await mapping.lag();
    await produce(kafkaBrokers, config.topics.quote.name, [{ key: 'A', value: 'after' }]);
    await mapping.idle();

    // Assess
    expect(lagAtStart).toBe(0);
    expect(recorder.offsets()).toEqual([[1]]);
  });

  it('records older than maxRecordAgeSeconds go to the dead-letter topic without invoking', async () => {
    // Prepare: the mapping's clock runs two hours ahead of the records' timestamps
    const config = await preparedConfig({ maxRecordAgeSeconds: 3600 });
    await produce(kafkaBrokers, config.topics.quote.name, [{ key: 'OLD', value: 'stale' }]);
    const recorder = recordingHandler();

    // Act
    const mapping = await startMapping(config, recorder.handler, { now: () => Date.now() + 7_200_000 });
    await mapping.idle();
    const deadLetters = await readTopicAt(kafkaBrokers, config.topics.deadLetter.name);

    // Assess
    expect(recorder.events).toEqual([]);
    expect(deadLetters).toHaveLength(1);
    expect(JSON.parse(deadLetters[0]?.value?.toString() ?? '{}').reason.code).toBe('record-age-exceeded');
  });
});
