/**
 * Helpers for the runner's and handlers' integration tests: unique configurations (so tests never share topics
 * or consumer groups) and producing raw records; reading a topic back is `readTopicAt` of kafka.ts.
 */
import { randomBytes } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { type HortonConfig, type HortonConfigInput, resolveConfig } from '../../model/config.ts';
import { testKafka } from './kafka.ts';

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

/** Resolves once `predicate` holds, polling; rejects with `what` after `timeoutMs`. */
export async function eventually(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
