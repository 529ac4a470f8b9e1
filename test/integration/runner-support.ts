/**
 * Helpers for the runner's integration tests: unique configurations (so tests never share topics or consumer
 * groups), producing raw records and reading a topic back.
 */
import { randomBytes } from 'node:crypto';
import { type IHeaders, Kafka, logLevel } from 'kafkajs';
import { type HortonConfig, type HortonConfigInput, resolveConfig } from '../../lib/config.ts';

export function testKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/** A configuration whose prefix and topic names are unique to one test. */
export function uniqueConfig(overrides: Omit<HortonConfigInput, 'prefix' | 'topics'> = {}): HortonConfig {
  const id = randomBytes(4).toString('hex');
  const prefix = `rt${id}`;
  const topic = (role: string, partitions: number) => ({ name: `${prefix}.${role}`, partitions });
  return resolveConfig({
    ...overrides,
    prefix,
    topics: {
      securities: topic('securities', 1),
      overview: topic('overview', 1),
      history: topic('history', 1),
      quote: topic('quote', 2),
      indicators: topic('indicators', 1),
      deadLetter: topic('dead-letter', 1),
    },
  });
}

export interface RawMessage {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
  partition?: number;
}

export async function produce(brokers: string[], topic: string, messages: RawMessage[]): Promise<void> {
  const producer = testKafka(brokers, 'runner-test-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((message) => ({
        key: message.key ?? null,
        value: message.value,
        headers: message.headers ?? {},
        partition: message.partition ?? 0,
      })),
    });
  } finally {
    await producer.disconnect();
  }
}

export interface ReadRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Reads every record currently in `topic` (up to its high watermarks) with a throwaway consumer group. */
export async function readTopic(brokers: string[], topic: string, timeoutMs = 20_000): Promise<ReadRecord[]> {
  const kafka = testKafka(brokers, 'runner-test-reader');
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = ends.reduce((sum, end) => sum + Number(end.high) - Number(end.low), 0);
  if (expected === 0) return [];
  const consumer = kafka.consumer({
    groupId: `runner-test-reader-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 200,
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          partition,
          offset: Number(message.offset),
          key: message.key,
          value: message.value,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
          ),
        });
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (records.length < expected) {
      if (Date.now() > deadline) throw new Error(`read ${records.length} of ${expected} records of ${topic}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Polls until `predicate` holds. */
export async function eventually(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
