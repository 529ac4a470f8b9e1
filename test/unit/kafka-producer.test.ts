/**
 * The handlers' Kafka publisher and connection settings, with kafkajs replaced at its producer boundary (the
 * broker path is covered by the integration suites): what goes on the wire (topic, key, value, headers, acks),
 * one lazy connection per execution environment (connection settings: test/unit/handler-settings.test.ts).
 */
import type { Kafka, Producer, ProducerBatch } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kafkaConfig, Publisher, PublishIncomplete } from '../../functions/shared/kafka/producer.ts';
import type { CollectQuote, CollectUniverse, DeadLetter } from '../../model/messages.ts';

/** A kafkajs stand-in that records connects and batches. */
function fakeKafka(options: { connectDelayMs?: number; failBatches?: number[] } = {}) {
  const batches: ProducerBatch[] = [];
  /** 1-based numbers of the sendBatch calls that fail (as kafkajs does once its own retries are spent). */
  const failing = new Set(options.failBatches ?? []);
  let sendCalls = 0;
  const calls = { producers: 0, connects: 0, disconnects: 0 };
  const producer = {
    connect: async () => {
      calls.connects += 1;
      await new Promise((resolve) => setTimeout(resolve, options.connectDelayMs ?? 0));
    },
    disconnect: async () => {
      calls.disconnects += 1;
    },
    sendBatch: async (batch: ProducerBatch) => {
      sendCalls += 1;
      if (failing.has(sendCalls)) throw new Error('KafkaJSNumberOfRetriesExceeded: broker unavailable');
      batches.push(batch);
      return [];
    },
  } as unknown as Producer;
  const kafka = {
    producer: () => {
      calls.producers += 1;
      return producer;
    },
  } as unknown as Kafka;
  return { kafka, batches, calls };
}

const envelope = {
  v: 1 as const,
  commandId: 'abcdefabcdefabcdefabcdefabcdefab',
  correlationId: 'quote-intraday@2026-05-15T14:00:00Z',
  issuedAt: '2026-05-15T14:00:00Z',
};
const quote = (symbol: string): CollectQuote => ({ type: 'collect-quote', ...envelope, symbol });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('Publisher', () => {
  it('publishes commands keyed by symbol, as JSON, with correlation headers, waiting for all replicas', async () => {
    // Prepare
    const { kafka, batches } = fakeKafka();
    const publisher = new Publisher(kafka);
    const universe: CollectUniverse = {
      type: 'collect-universe',
      ...envelope,
      refreshListing: true,
      datasets: [],
    };

    // Act
    await publisher.publishCommands('horton.quote', [quote('IBM'), quote('BRK.B')]);
    await publisher.publishCommands('horton.securities', [universe]);

    // Assess
    expect(batches).toHaveLength(2);
    expect(batches[0]?.acks).toBe(-1);
    expect(batches[0]?.topicMessages).toEqual([
      {
        topic: 'horton.quote',
        messages: [
          {
            key: 'IBM',
            value: JSON.stringify(quote('IBM')),
            headers: { 'content-type': 'application/json', 'correlation-id': envelope.correlationId },
          },
          expect.objectContaining({ key: 'BRK.B' }),
        ],
      },
    ]);
    expect(batches[1]?.topicMessages?.[0]?.messages[0]?.key).toBe('universe');
  });

  it('publishes a dead letter keyed by its source partition with the reason as a header', async () => {
    // Prepare
    const { kafka, batches } = fakeKafka();
    const publisher = new Publisher(kafka);
    const deadLetter: DeadLetter = {
      type: 'dead-letter',
      v: 1,
      reason: { code: 'schema-invalid', message: 'not a valid quote message' },
      source: { topic: 'horton.quote', partition: 2, offset: '17' },
      handler: 'quote',
      failedAt: '2026-05-15T14:00:01Z',
      originalKey: null,
      originalValue: 'eyJ9',
      originalHeaders: [],
    };

    // Act
    await publisher.publishDeadLetters('horton.dead-letter', [deadLetter]);

    // Assess
    expect(batches[0]?.topicMessages).toEqual([
      {
        topic: 'horton.dead-letter',
        messages: [
          {
            key: 'horton.quote-2',
            value: JSON.stringify(deadLetter),
            headers: { 'content-type': 'application/json', 'dead-letter-reason': 'schema-invalid' },
          },
        ],
      },
    ]);
  });

  it('sends nothing, and does not even connect, for an empty list', async () => {
    // Prepare
    const { kafka, batches, calls } = fakeKafka();
    const publisher = new Publisher(kafka);

    // Act
    await publisher.publishCommands('horton.quote', []);

    // Assess
    expect(batches).toEqual([]);
    expect(calls.connects).toBe(0);
  });

  it('connects once for concurrent first publishes and stays connected across invocations', async () => {
    // Prepare: a slow connect, so the three publishes overlap it
    const { kafka, batches, calls } = fakeKafka({ connectDelayMs: 20 });
    const publisher = new Publisher(kafka);

    // Act
    await Promise.all(
      ['IBM', 'MSFT', 'AAPL'].map((symbol) => publisher.publishCommands('t', [quote(symbol)])),
    );
    await publisher.publishCommands('t', [quote('NVDA')]);

    // Assess
    expect(calls).toMatchObject({ producers: 1, connects: 1 });
    expect(batches).toHaveLength(4);
  });

  it('reconnects after a disconnect', async () => {
    // Prepare
    const { kafka, calls } = fakeKafka();
    const publisher = new Publisher(kafka);
    await publisher.publishCommands('t', [quote('IBM')]);

    // Act
    await publisher.disconnect();
    await publisher.publishCommands('t', [quote('IBM')]);

    // Assess
    expect(calls).toMatchObject({ connects: 2, disconnects: 1 });
  });

  it('groups a mixed list by topic, one request per topic, keeping the order within each', async () => {
    // Prepare
    const { kafka, batches } = fakeKafka();
    const publisher = new Publisher(kafka);

    // Act
    await publisher.send([
      { topic: 'a', key: '1', value: 'x' },
      { topic: 'b', key: '2', value: 'y' },
      { topic: 'a', key: '3', value: 'z' },
    ]);

    // Assess
    expect(
      batches.flatMap((b) => b.topicMessages?.map((t) => [t.topic, t.messages.map((m) => m.key)])),
    ).toEqual([
      ['a', ['1', '3']],
      ['b', ['2']],
    ]);
  });
});

describe('Publisher: bounded chunks', () => {
  const messages = (count: number, valueBytes = 100) =>
    Array.from({ length: count }, (_, index) => ({
      topic: 't',
      key: `S${index}`,
      value: 'v'.repeat(valueBytes),
    }));
  const keysOf = (batches: ProducerBatch[]) =>
    batches.flatMap(
      (batch) => batch.topicMessages?.flatMap((t) => t.messages.map((m) => String(m.key))) ?? [],
    );

  it('splits by count: 1,234 small messages go out as 500 + 500 + 234, in order', async () => {
    // Prepare
    const { kafka, batches } = fakeKafka();

    // Act
    await new Publisher(kafka).send(messages(1_234));

    // Assess
    expect(batches.map((b) => b.topicMessages?.[0]?.messages.length)).toEqual([500, 500, 234]);
    expect(keysOf(batches)).toEqual(messages(1_234).map((m) => m.key));
  });

  it('splits by bytes: no request carries more than the byte limit', async () => {
    // Prepare: 10 KB messages, 64 KB chunks
    const { kafka, batches } = fakeKafka();
    const limits = { maxMessages: 500, maxBytes: 64 * 1024 };

    // Act
    await new Publisher(kafka, limits).send(messages(40, 10_000));

    // Assess
    for (const batch of batches) {
      const bytes = (batch.topicMessages?.[0]?.messages ?? []).reduce(
        (sum, m) => sum + String(m.key).length + String(m.value).length + 64,
        0,
      );
      expect(bytes).toBeLessThanOrEqual(limits.maxBytes);
    }
    expect(batches).toHaveLength(7);
    expect(keysOf(batches)).toHaveLength(40);
  });

  it('a retried publish resumes at the failed chunk, without re-sending what went out', async () => {
    // Prepare: the third request fails once
    const { kafka, batches } = fakeKafka({ failBatches: [3] });
    const publisher = new Publisher(kafka);
    const all = messages(2_100);

    // Act
    const failure = await publisher.send(all).then(
      () => undefined,
      (error: unknown) => error,
    );
    await publisher.send(all);

    // Assess: 1,000 went out, then the rest; every message exactly once
    expect(failure).toBeInstanceOf(PublishIncomplete);
    expect(failure).toMatchObject({ published: 1_000, total: 2_100 });
    expect(keysOf(batches)).toEqual(all.map((m) => m.key));
  });

  it('a publish that completed is sent again in full when asked again', async () => {
    const { kafka, batches } = fakeKafka();
    const publisher = new Publisher(kafka);

    await publisher.send(messages(3));
    await publisher.send(messages(3));

    expect(keysOf(batches)).toEqual(['S0', 'S1', 'S2', 'S0', 'S1', 'S2']);
  });
});

describe('kafkaConfig', () => {
  it('uses plaintext without SASL for the local broker', () => {
    // Prepare
    const connection = { brokers: ['127.0.0.1:9092'], auth: 'none' as const, clientId: 'horton-quote' };

    // Act
    const config = kafkaConfig(connection);

    // Assess
    expect(config).toMatchObject({ clientId: 'horton-quote', brokers: ['127.0.0.1:9092'] });
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
  });

  it('uses TLS and OAUTHBEARER for MSK IAM, and needs a region to sign', () => {
    // Prepare
    const iam = { brokers: ['b-1.msk:9098'], auth: 'iam' as const, clientId: 'horton-quote' };

    // Act
    const config = kafkaConfig({ ...iam, region: 'eu-west-1' });
    const withoutRegion = () => kafkaConfig(iam);

    // Assess
    expect(config.ssl).toBe(true);
    expect(config.sasl).toMatchObject({ mechanism: 'oauthbearer' });
    expect(withoutRegion).toThrow(/region/);
  });
});
