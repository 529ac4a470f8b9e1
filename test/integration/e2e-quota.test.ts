/**
 * End to end: AlphaVantage's per-minute quota with the DEFAULT retry settings. A cycle needs more requests
 * than the quota allows in one minute; AlphaVantage then answers the rest with its limit body until the minute
 * has passed. A limit answer is not an error of the record: once the quota frees up the same request succeeds,
 * so the cycle must still collect everything and dead-letter nothing.
 *
 * The simulator's quota clock runs 5x faster than real time (a "minute" is 12 real seconds), which only makes
 * the window shorter than it is on AlphaVantage: easier for the pipeline, not harder. (Not faster: each call
 * also takes a slot from the limiter, and a slower pipeline on a busy machine would never meet the quota.)
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assertCollectedData, itemsWithErrorBodies, readAllTables } from '../support/e2e-expectations.ts';
import { type E2eEnvironment, runCollectionCycle, startE2e } from '../support/e2e-harness.ts';
import { type ReadRecord, readTopic } from '../support/kafka.ts';

const SIMULATOR_NOW = new Date('2007-06-15T21:00:00Z');
const SYMBOLS = ['AMZN', 'IBM'];
/** 2 symbols x 11 requests = 22 requests per cycle, against 12 a minute. */
const REQUESTS_PER_MINUTE = 12;
const QUOTA_CLOCK_SPEED = 5;

describe('e2e: a cycle larger than the per-minute quota, default retry settings', () => {
  let environment: E2eEnvironment | undefined;
  let deadLetters: ReadRecord[] = [];
  const env = () => environment as E2eEnvironment;

  beforeAll(async () => {
    const realStart = Date.now();
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'quota',
      // Consumers and AlphaVantage client as configured by default (retryAttempts 3, maxAttempts 3).
      config: { universe: { watchlist: SYMBOLS } },
      simulator: {
        now: SIMULATOR_NOW,
        plan: 'premium75',
        quotas: { perMinute: REQUESTS_PER_MINUTE },
        quotaClock: () => realStart + (Date.now() - realStart) * QUOTA_CLOCK_SPEED,
      },
      // The local event source mapping's own defaults.
      retryBackoff: { initialMs: 500, maxMs: 10_000 },
    });
    await runCollectionCycle(environment, 120_000);
    deadLetters = await readTopic(environment.kafka, environment.config.topics.deadLetter.name);
  });

  afterAll(async () => {
    await environment?.stop();
  });

  it('meets the quota (otherwise this test proves nothing)', () => {
    expect(env().simulator.stats().requests.limited).toBeGreaterThan(0);
  });

  it('dead-letters nothing: a limit answer is temporary', () => {
    const summary = deadLetters.map((record) => {
      const letter = JSON.parse(record.value?.toString('utf8') ?? 'null');
      const command = JSON.parse(Buffer.from(letter.originalValue, 'base64').toString('utf8'));
      return `${command.type} ${command.symbol}: ${letter.reason.code}: ${letter.reason.message.slice(0, 120)}`;
    });
    expect(summary).toEqual([]);
  });

  it('collects everything once the quota frees up, and stores no limit body', async () => {
    const { config, doc, tables } = env();
    const contents = await readAllTables(doc, tables);
    expect(itemsWithErrorBodies(contents)).toEqual([]);
    assertCollectedData(contents, config, {
      symbols: SYMBOLS,
      securities: SYMBOLS,
      simulatorNow: SIMULATOR_NOW,
    });
  });
});
