/**
 * The REAL quote handler (functions/quote/index.ts: middy + Powertools + Publisher + DynamoDB) invoked with the
 * REAL Lambda event samples of test/fixtures/lambda-events, against the run's Kafka broker and AWS emulator:
 * - none of the samples' values is a Horton command, so every record must be dead-lettered (read back from the
 *   dead-letter topic with kafkajs: reason, coordinates, original bytes) and the response must report no batch
 *   item failures;
 * - a sample that is not a Kafka event fails the invocation and dead-letters nothing;
 * - a valid collect-quote command, published to the quote topic and wrapped in the MSK event shape, is stored.
 *
 * The handler reads its settings at import, so the environment is set first and the module imported after;
 * modules are cached per test file, so this file uses one handler and one unique prefix.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { KafkaEvent, RawKafkaRecord } from '../../functions/shared/kafka/event.ts';
import { Publisher } from '../../functions/shared/kafka/producer.ts';
import type { QuoteItem } from '../../functions/shared/store/quotes.ts';
import { ensureTables, localAwsEnvironment, localDynamoDbClient } from '../../localstack/aws-resources.ts';
import { createLambdaContext, type LambdaHandler } from '../../localstack/runner/lambda-context.ts';
import { buildMskEvent, type ConsumedRecord, localCluster } from '../../localstack/runner/msk-event.ts';
import { importHandler, localHandlerSettings } from '../../localstack/runner/pipeline.ts';
import { ensureTopics } from '../../localstack/runner/topics.ts';
import {
  type AlphaVantageSimulator,
  createAlphaVantageSimulator,
  dailySeriesFor,
} from '../../localstack/simulator/index.ts';
import { type HortonConfig, tableNames } from '../../model/config.ts';
import { type DeadLetter, deadLetterSchema } from '../../model/messages.ts';
import { LOCAL_API_KEY_VARIABLE } from '../../model/settings.ts';
import { listFixtures, loadJsonFixture } from '../support/fixtures.ts';
import { type ReadRecord, readTopicAt } from '../support/kafka.ts';
import { uniqueConfig } from '../support/runner-support.ts';

const { kafkaBrokers, awsEndpoint, awsRegion } = inject('localStack');
const target = { endpoint: awsEndpoint, region: awsRegion };
const NOW = '2026-05-15T19:00:00Z';
const EVENTS = 'lambda-events';
const isKafkaSample = (file: string) => file.startsWith('msk-') || file.startsWith('self-managed-kafka-');

let simulator: AlphaVantageSimulator;
let config: HortonConfig;
let handler: LambdaHandler;
let publisher: Publisher;
const previousEnvironment = new Map<string, string | undefined>();

const context = () => createLambdaContext({ functionName: `${config.prefix}-quote`, timeoutSeconds: 60 });

beforeAll(async () => {
  simulator = await createAlphaVantageSimulator({ now: NOW });
  // The limiter's budget far above what these tests call (the simulator has no quota here).
  config = uniqueConfig({
    alphaVantage: { baseUrl: simulator.url, maxAttempts: 2, requestsPerMinute: 6_000, requestsPerDay: null },
  });
  await ensureTopics(kafkaBrokers, config);
  await ensureTables(config, target);
  const environment = {
    ...localAwsEnvironment(target),
    [LOCAL_API_KEY_VARIABLE]: 'horton-integration-key',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '1',
  };
  for (const [name, value] of Object.entries(environment)) {
    previousEnvironment.set(name, process.env[name]);
    process.env[name] = value;
  }
  // Imported only now, as the runner does: the handler reads its settings (tables, topics, brokers) at module scope.
  handler = await importHandler('quote', localHandlerSettings('quote', config, kafkaBrokers));
  publisher = Publisher.fromConnection({
    brokers: kafkaBrokers,
    auth: 'none',
    clientId: 'handlers-events-test',
  });
});

afterAll(async () => {
  await publisher?.disconnect();
  await simulator?.close();
  for (const [name, value] of previousEnvironment) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

beforeEach(() => simulator.reset());

const deadLetterTopic = () => config.topics.deadLetter.name;

/** The dead-letter topic, decoded: every record must be a valid dead letter. */
async function deadLetters(): Promise<Array<{ record: ReadRecord; letter: DeadLetter }>> {
  const records = await readTopicAt(kafkaBrokers, deadLetterTopic());
  return records.map((record) => ({
    record,
    letter: deadLetterSchema.parse(JSON.parse(record.value?.toString('utf8') ?? 'null')),
  }));
}

/** What the dead letter of a sample record must say, derived from the sample itself. */
function expectedDeadLetter(raw: RawKafkaRecord) {
  const value = Buffer.from(raw.value ?? '', 'base64').toString('utf8');
  let isJson = true;
  try {
    JSON.parse(value);
  } catch {
    isJson = false;
  }
  return {
    code: isJson ? 'schema-invalid' : 'undecodable',
    source: {
      topic: raw.topic,
      partition: raw.partition,
      offset: String(raw.offset),
      timestamp: raw.timestamp,
    },
    originalKey: raw.key ?? null,
    originalValue: raw.value ?? null,
    originalHeaders: (raw.headers ?? []).flatMap((header) =>
      Object.entries(header).map(([name, bytes]) => ({
        [name]: Buffer.from(bytes.map((byte) => (byte + 256) % 256)).toString('base64'),
      })),
    ),
  };
}

describe('the quote handler with the real Lambda event samples', () => {
  it('fails the invocation for samples that are not Kafka events, dead-lettering nothing', async () => {
    // Prepare
    const others = listFixtures(EVENTS).filter((file) => !isKafkaSample(file));
    expect(others.length).toBeGreaterThan(0);

    // Act
    const outcomes = await Promise.allSettled(
      others.map((file) => handler(loadJsonFixture<unknown>(EVENTS, file), context())),
    );

    // Assess
    for (const [index, outcome] of outcomes.entries()) {
      expect(outcome.status, others[index]).toBe('rejected');
      if (outcome.status === 'rejected') {
        expect(String(outcome.reason)).toMatch(/Not an MSK or self-managed Kafka event/);
      }
    }
    expect(await deadLetters()).toEqual([]);
  });

  it('dead-letters every record of every Kafka sample with reason, coordinates and original bytes', async () => {
    // Prepare
    const samples = listFixtures(EVENTS).filter(isKafkaSample);
    const expected: Array<{ file: string } & ReturnType<typeof expectedDeadLetter>> = [];
    const responses: Array<{ file: string; response: unknown }> = [];

    // Act: one invocation per sample, in order (the dead-letter topic has one partition, so order is kept)
    for (const file of samples) {
      const event = loadJsonFixture<KafkaEvent>(EVENTS, file);
      for (const records of Object.values(event.records)) {
        const inOffsetOrder = [...records].sort((a, b) => a.offset - b.offset);
        expected.push(...inOffsetOrder.map((raw) => ({ file, ...expectedDeadLetter(raw) })));
      }
      responses.push({ file, response: await handler(event, context()) });
    }
    const letters = await deadLetters();

    // Assess
    expect(samples.length).toBeGreaterThanOrEqual(13);
    for (const { file, response } of responses) {
      // Lambda's shape (nothing failed), plus the report the local runner asks for: nothing processed, every
      // record dead-lettered with its reason.
      expect(response, file).toMatchObject({ batchItemFailures: [], processed: 0 });
      expect(Object.keys((response as { deadLetterCauses: object }).deadLetterCauses).length, file).toBe(
        expected.filter((item) => item.file === file).length,
      );
    }
    expect(letters).toHaveLength(expected.length);
    for (const [index, { record, letter }] of letters.entries()) {
      const want = expected[index];
      if (!want) continue;
      const where = `${want.file} offset ${want.source.offset}`;
      expect(letter.reason.code, where).toBe(want.code);
      expect(letter.reason.message, where).not.toBe('');
      expect(letter.source, where).toEqual(want.source);
      expect(letter.originalKey, where).toBe(want.originalKey);
      expect(letter.originalValue, where).toBe(want.originalValue);
      expect(letter.originalHeaders, where).toEqual(want.originalHeaders);
      expect(letter.handler, where).toBe(`${config.prefix}-quote`);
      expect(record.key?.toString('utf8'), where).toBe(`${want.source.topic}-${want.source.partition}`);
      expect(record.headers['dead-letter-reason'], where).toBe(want.code);
    }
    // The aws-lambda-go sample's signed header bytes [118, -36, 0, 127, -128] arrive as octets 76 dc 00 7f 80.
    const goSample = letters.find(({ letter }) => letter.source.topic === 'AWSKafkaTopic');
    expect(goSample?.letter.originalHeaders).toEqual([
      { headerKey: Buffer.from([0x76, 0xdc, 0, 0x7f, 0x80]).toString('base64') },
    ]);
  });
});

describe('the quote handler with a valid command', () => {
  /** Publishes a command as the securities handler would, reads it back and wraps it like an MSK mapping. */
  async function mskEventFor(symbol: string, commandId: string) {
    const command = {
      type: 'collect-quote' as const,
      v: 1 as const,
      commandId,
      correlationId: `quote-intraday@${NOW}`,
      issuedAt: NOW,
      symbol,
    };
    await publisher.publishCommands(config.topics.quote.name, [command]);
    const records = await readTopicAt(kafkaBrokers, config.topics.quote.name);
    const consumed: ConsumedRecord[] = records
      .filter((record) => JSON.parse(record.value?.toString('utf8') ?? '{}').commandId === commandId)
      .map((record) => ({
        topic: config.topics.quote.name,
        partition: record.partition,
        offset: record.offset,
        timestamp: Date.parse(NOW),
        timestampType: 'CREATE_TIME',
        key: record.key,
        value: record.value,
        headers: Object.entries(record.headers).map(([name, value]) => ({ name, value: Buffer.from(value) })),
      }));
    expect(consumed).toHaveLength(1);
    return { command, event: buildMskEvent(consumed, localCluster(kafkaBrokers)), record: consumed[0] };
  }

  async function storedQuote(symbol: string): Promise<QuoteItem | undefined> {
    const doc = DynamoDBDocumentClient.from(localDynamoDbClient(target));
    try {
      const result = await doc.send(
        new GetCommand({ TableName: tableNames(config).quotes, Key: { symbol }, ConsistentRead: true }),
      );
      return result.Item as QuoteItem | undefined;
    } finally {
      doc.destroy();
    }
  }

  it('stores the quote in the emulator, and a re-delivery changes nothing', async () => {
    // Prepare
    const { command, event } = await mskEventFor('IBM', 'handlers-events-quote-0001');
    const lastBar = dailySeriesFor('IBM', new Date(NOW)).at(-1);
    const lettersBefore = (await deadLetters()).length;

    // Act
    const first = await handler(event, context());
    const afterFirst = await storedQuote('IBM');
    const redelivery = await handler(structuredClone(event), context());
    const afterRedelivery = await storedQuote('IBM');

    // Assess
    expect(first).toEqual({ batchItemFailures: [] });
    expect(redelivery).toEqual({ batchItemFailures: [] });
    expect(afterFirst?.latest).toMatchObject({ symbol: 'IBM', price: lastBar?.close, observedAt: NOW });
    expect(afterFirst?.rolling).toMatchObject({ count: 1, version: 1, average: lastBar?.close });
    expect(afterFirst?.rolling.observations.map((o) => o.id)).toEqual([command.commandId]);
    expect(afterRedelivery).toEqual(afterFirst);
    expect((await deadLetters()).length).toBe(lettersBefore);
  });

  it('reports a transient AlphaVantage failure as a batch item failure at the record’s partition and offset', async () => {
    // Prepare: AlphaVantage answers 503 to every attempt
    const { event, record } = await mskEventFor('MSFT', 'handlers-events-quote-0002');
    simulator.setFaults([{ mode: 'http-error' }]);

    // Act
    const response = await handler(event, context());

    // Assess: Lambda's shape, plus the cause the local runner asks for (handlerEnvironment sets the flag)
    const partition = `${config.topics.quote.name}-${record?.partition}`;
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition, offset: record?.offset } }],
      processed: 0,
      failureCauses: { [`${partition}@${record?.offset}`]: expect.stringContaining('HTTP 503') },
      deadLetterCauses: {},
    });
    expect(await storedQuote('MSFT')).toBeUndefined();
    expect(simulator.stats().requests.total).toBe(config.alphaVantage.maxAttempts);
  });
});
