/**
 * Topic creation and the whole local pipeline (scheduler -> dispatcher -> mappings) against the real broker,
 * with stand-in handlers of our own that publish the way Horton's handlers do (shared Publisher, settings from
 * the model's settings function, the process environment the pipeline sets).
 */
import { Kafka, KafkaJSGroupCoordinatorNotFound, logLevel } from 'kafkajs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { decodeKafkaEvent } from '../../functions/shared/kafka/event.ts';
import { connectionOf, Publisher } from '../../functions/shared/kafka/producer.ts';
import { runtimeEnvironment } from '../../functions/shared/settings.ts';
import type { LambdaHandler } from '../../localstack/runner/lambda-context.ts';
import { localHandlerSettings, type Pipeline, startPipeline } from '../../localstack/runner/pipeline.ts';
import { ensureTopics } from '../../localstack/runner/topics.ts';
import type { HortonConfig } from '../../model/config.ts';
import { HANDLER_SETTINGS, type HandlerSettings } from '../../model/settings.ts';
import { uniqueConfig } from '../support/runner-support.ts';

const { kafkaBrokers } = inject('localStack');
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

async function partitionCounts(topics: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({ brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    return Object.fromEntries(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
  } finally {
    await admin.disconnect();
  }
}

describe('ensureTopics', () => {
  it('creates the configured topics, grows partitions when the configuration grew, and is idempotent', async () => {
    // Prepare
    const config = uniqueConfig();
    const grown = {
      ...config,
      topics: { ...config.topics, quote: { ...config.topics.quote, partitions: 4 } },
    };

    // Act
    const first = await ensureTopics(kafkaBrokers, config);
    const second = await ensureTopics(kafkaBrokers, grown);
    const third = await ensureTopics(kafkaBrokers, grown);

    // Assess
    const names = Object.values(config.topics).map((topic) => topic.name);
    expect(first.created.sort()).toEqual([...names].sort());
    expect(second.grown).toEqual([{ topic: config.topics.quote.name, from: 2, to: 4 }]);
    expect(third).toMatchObject({ created: [], grown: [], larger: [] });
    expect(third.unchanged).toHaveLength(names.length);
    expect((await partitionCounts([config.topics.quote.name]))[config.topics.quote.name]).toBe(4);
    // Kafka cannot shrink: a smaller configuration is reported, not applied.
    const shrunk = await ensureTopics(kafkaBrokers, config, { roles: ['quote'] });
    expect(shrunk.larger).toEqual([{ topic: config.topics.quote.name, actual: 4, configured: 2 }]);
  });
});

describe('startPipeline', () => {
  let pipeline: Pipeline | undefined;
  const publishers: Publisher[] = [];

  afterEach(async () => {
    await pipeline?.stop();
    pipeline = undefined;
    await Promise.all(publishers.splice(0).map((publisher) => publisher.disconnect()));
  });

  /** The settings a handler gets locally, decoded as `loadSettings` decodes them. */
  const settingsOf = <N extends 'dispatcher' | 'securities'>(name: N, config: HortonConfig) =>
    HANDLER_SETTINGS[name].parse(localHandlerSettings(name, config, kafkaBrokers)) as HandlerSettings<N>;

  /** A publisher built from handler settings, as Horton's handlers build theirs at cold start. */
  function publisherFromSettings(settings: HandlerSettings<'dispatcher' | 'securities'>): Publisher {
    const publisher = Publisher.fromConnection(connectionOf({ ...settings, runtime: runtimeEnvironment() }));
    publishers.push(publisher);
    return publisher;
  }

  it('runs a schedule firing through dispatcher and mappings, and knows when the cycle is finished', async () => {
    // Prepare: dispatcher -> securities (fan-out x2) -> quote (slow, to make idleness non-trivial)
    const config = uniqueConfig({ consumers: { maxBatchingWindowSeconds: 0 } });
    const dispatcherInputs: unknown[] = [];
    const seenEnvironment: Record<string, string | undefined> = {};
    const quoted: string[] = [];
    let securitiesPublisher: Publisher | undefined;
    let dispatcherPublisher: Publisher | undefined;

    const dispatcher: LambdaHandler = async (input) => {
      dispatcherInputs.push(input);
      const settings = settingsOf('dispatcher', config);
      seenEnvironment.brokers = settings.kafka.brokers.join(',');
      seenEnvironment.auth = settings.kafka.auth;
      seenEnvironment.topic = settings.topics.securities;
      seenEnvironment.region = process.env.AWS_REGION;
      dispatcherPublisher ??= publisherFromSettings(settings);
      await dispatcherPublisher.send([
        { topic: settings.topics.securities, key: 'universe', value: JSON.stringify(input) },
      ]);
      return { published: 1 };
    };
    const securities: LambdaHandler = async (event) => {
      const settings = settingsOf('securities', config);
      securitiesPublisher ??= publisherFromSettings(settings);
      const count = [...decodeKafkaEvent(event).values()].flat().length;
      const symbols = Array.from({ length: count }, () => ['IBM', 'MSFT']).flat();
      await securitiesPublisher.send(
        symbols.map((symbol) => ({ topic: settings.topics.quote, key: symbol, value: symbol })),
      );
      return { batchItemFailures: [] };
    };
    const quote: LambdaHandler = async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const record of [...decodeKafkaEvent(event).values()].flat())
        quoted.push(record.value?.toString() ?? '');
      return { batchItemFailures: [] };
    };
    const previousRegion = process.env.AWS_REGION;

    // Act
    const startedAt = Date.now();
    pipeline = await startPipeline({
      config,
      brokers: kafkaBrokers,
      handlers: { dispatcher, securities, quote },
      env: { AWS_REGION: 'eu-west-3' },
      mappings: { retryBackoff: { initialMs: 20 } },
      log: quiet,
    });
    const startMs = Date.now() - startedAt;
    await pipeline.scheduler?.fireNow('quote-intraday');
    await pipeline.waitUntilIdle({ timeoutMs: 30_000 });
    const cycleMs = Date.now() - startedAt - startMs;

    // Assess
    expect([...pipeline.mappings.keys()].sort()).toEqual(['quote', 'securities']);
    expect(pipeline.topics?.created).toHaveLength(6);
    expect(dispatcherInputs).toEqual([
      {
        job: 'quote',
        schedule: 'quote-intraday',
        scheduledTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
    ]);
    expect(seenEnvironment).toEqual({
      brokers: kafkaBrokers.join(','),
      auth: 'none',
      topic: config.topics.securities.name,
      region: 'eu-west-3',
    });
    expect(quoted.sort()).toEqual(['IBM', 'MSFT']);
    console.info(`runner-pipeline: start ${startMs} ms, one cycle to idle ${cycleMs} ms`);

    // The environment is put back on stop.
    await pipeline.stop();
    pipeline = undefined;
    expect(process.env.AWS_REGION).toBe(previousRegion);
  });

  it('runs only the selected handlers and reports a handler module that cannot be loaded', async () => {
    const config = uniqueConfig();
    await expect(
      startPipeline({
        config,
        brokers: kafkaBrokers,
        include: ['quote'],
        rootDir: '/nonexistent-horton-root',
        ensureTopics: false,
        log: quiet,
      }),
    ).rejects.toThrow('cannot load the quote handler from functions/quote/index.ts');
    expect(process.env.HORTON_SETTINGS).toBeUndefined();
  });

  it('waits out a broker that cannot answer for the lag for a moment, instead of failing', async () => {
    // Prepare: a quiet pipeline whose offset reads fail twice the way they do while the broker restarts
    const config = uniqueConfig();
    const quote: LambdaHandler = async () => ({ batchItemFailures: [] });
    pipeline = await startPipeline({ config, brokers: kafkaBrokers, handlers: { quote }, log: quiet });
    const mapping = pipeline.mappings.get('quote');
    if (!mapping) throw new Error('no quote mapping');
    const realLag = mapping.lag.bind(mapping);
    let reads = 0;
    mapping.lag = async () => {
      reads += 1;
      // kafkajs' typings omit the constructor's message argument, which its errors need at run time.
      const Coordinator = KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error;
      if (reads <= 2) throw new Coordinator('Failed to find group coordinator');
      return realLag();
    };

    // Act
    await pipeline.waitUntilIdle({ timeoutMs: 30_000, pollMs: 50 });

    // Assess: the two failures were asked again, then the idle snapshots were taken
    expect(reads).toBeGreaterThanOrEqual(4);
  });
});
