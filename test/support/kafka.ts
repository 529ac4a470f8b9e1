/**
 * Kafka helpers shared by the integration tests: a quiet client, and reading a topic back as it is now,
 * with a throwaway consumer group so the handlers' own groups and offsets are never touched.
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** A kafkajs client that logs nothing (failures reach the test as errors, not as log noise). */
export function testKafka(brokers: string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Records currently in `topic`, all partitions together (high watermark minus log start). */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every record currently in `topic` (up to its high watermarks), read with a throwaway consumer group, sorted
 * by partition and offset. Fails when they have not all arrived within `timeoutMs`.
 */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<ReadRecord[]> {
  const expected = await topicSize(kafka, topic);
  if (expected === 0) return [];
  const consumer = kafka.consumer({
    groupId: `test-reader-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        records.push({
          topic,
          partition,
          offset: Number(message.offset),
          timestamp: Number(message.timestamp),
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

/** `readTopic` for tests that hold only the broker addresses (with their shorter default time limit). */
export function readTopicAt(brokers: string[], topic: string, timeoutMs = 20_000): Promise<ReadRecord[]> {
  return readTopic(testKafka(brokers, 'test-reader'), topic, timeoutMs);
}
