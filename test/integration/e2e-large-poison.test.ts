/**
 * A poison record too large to be dead-lettered whole (about 1 MB: its base64 alone exceeds the broker's 1 MiB
 * `max.message.bytes`) must still reach the dead-letter topic, cut, with its length and SHA-256, and must not block
 * the valid record behind it. Before, the dead letter was refused by the broker and the partition was retried
 * every 10 s forever.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dailySeriesFor } from '../../localstack/simulator/index.ts';
import { deadLetterSchema } from '../../model/messages.ts';
import { type E2eEnvironment, produceRaw, scanItems, startE2e } from '../support/e2e-harness.ts';
import { type ReadRecord, readTopic } from '../support/kafka.ts';

const SIMULATOR_NOW = new Date('2026-11-20T22:00:00Z');
const POISON = Buffer.alloc(1_000_000, 0x7b); // "{{{{…": not JSON

describe('e2e: a 1 MB poison record is dead-lettered (cut) and the partition goes on', () => {
  let environment: E2eEnvironment | undefined;
  let deadLetters: ReadRecord[] = [];

  beforeAll(async () => {
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'bigpoison',
      simulator: { now: SIMULATOR_NOW },
      include: ['quote'],
    });
    const good = {
      type: 'collect-quote',
      v: 1,
      commandId: 'large-poison-good-000000000000001',
      correlationId: 'e2e-large-poison',
      issuedAt: '2026-11-20T22:05:00.000Z',
      symbol: 'IBM',
    };
    await produceRaw(environment.kafka, environment.config.topics.quote.name, [
      { partition: 0, key: 'IBM', value: POISON },
      { partition: 0, key: 'IBM', value: JSON.stringify(good) },
    ]);
    await environment.pipeline.waitUntilIdle({ timeoutMs: 60_000 });
    deadLetters = await readTopic(environment.kafka, environment.config.topics.deadLetter.name);
  }, 120_000);

  afterAll(async () => {
    await environment?.stop();
  });

  it('dead-letters it once, with the kept prefix, the full length and SHA-256, and a header saying so', () => {
    expect(deadLetters).toHaveLength(1);
    const [record] = deadLetters as [ReadRecord];
    const letter = deadLetterSchema.parse(JSON.parse(record.value?.toString() ?? 'null'));
    expect(letter.reason.code).toBe('undecodable');
    expect(letter.originalValueCut).toMatchObject({
      length: POISON.length,
      sha256: createHash('sha256').update(POISON).digest('hex'),
    });
    const kept = Buffer.from(letter.originalValue ?? '', 'base64');
    expect(kept.length).toBe(letter.originalValueCut?.keptBytes);
    expect(kept.equals(POISON.subarray(0, kept.length))).toBe(true);
    expect(record.headers['dead-letter-value-cut']).toBe('true');
  });

  it('processes the valid record behind it, without retries', async () => {
    const { doc, tables, pipeline } = environment as E2eEnvironment;
    const quotes = await scanItems<{ symbol: string; latest: { price: number } }>(doc, tables.quotes);
    expect(quotes.map((item) => [item.symbol, item.latest.price])).toEqual([
      ['IBM', dailySeriesFor('IBM', SIMULATOR_NOW).at(-1)?.close],
    ]);
    expect(pipeline.mappings.get('quote')?.counters).toMatchObject({
      failedInvocations: 0,
      onFailureSends: 0,
    });
  });
});
