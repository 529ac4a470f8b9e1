/**
 * End to end: AlphaVantage keeps answering with its limit body for longer than an invocation may wait (another
 * client on the same key, here the simulator's quota far below what the limiter was told). A known wait is not
 * a failure: the handlers hold until their invocation's deadline, then hand the records back (re-published to
 * their own partition) instead of reporting them failed, so the event source mapping's bounded retries are
 * never spent on it and nothing is dead-lettered as `retries-exhausted`, with the DEFAULT retry settings.
 *
 * Scale: the simulator's quota clock runs 10x faster than real time (its "minute" is 6 real seconds) and the
 * function timeout is 12 s (so an invocation may wait about 9 s): the same race as on AlphaVantage with a
 * 5-minute function, in seconds.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFERRED_SINCE_HEADER } from '../../functions/shared/kafka/batch.ts';
import { assertCollectedData, itemsWithErrorBodies, readAllTables } from '../support/e2e-expectations.ts';
import { type E2eEnvironment, runCollectionCycle, startE2e } from '../support/e2e-harness.ts';
import { type ReadRecord, readTopic } from '../support/kafka.ts';

const SIMULATOR_NOW = new Date('2007-06-15T21:00:00Z');
const SYMBOLS = ['AMZN', 'IBM'];
/** 2 symbols x 11 requests = 22 requests per cycle, against 6 per (10x fast) minute. */
const REQUESTS_PER_MINUTE = 6;
const QUOTA_CLOCK_SPEED = 10;

describe('e2e: limit answers outlast an invocation; default retry settings', () => {
  let environment: E2eEnvironment | undefined;
  let deadLetters: ReadRecord[] = [];
  const handedBack: ReadRecord[] = [];
  const env = () => environment as E2eEnvironment;

  beforeAll(async () => {
    const realStart = Date.now();
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'limitans',
      config: { universe: { watchlist: SYMBOLS } },
      simulator: {
        now: SIMULATOR_NOW,
        plan: 'premium75',
        quotas: { perMinute: REQUESTS_PER_MINUTE },
        quotaClock: () => realStart + (Date.now() - realStart) * QUOTA_CLOCK_SPEED,
      },
      timeoutSeconds: 12,
      retryBackoff: { initialMs: 500, maxMs: 10_000 },
    });
    await runCollectionCycle(environment, 240_000);
    const { topics } = environment.config;
    deadLetters = await readTopic(environment.kafka, topics.deadLetter.name);
    for (const role of ['overview', 'history', 'quote', 'indicators'] as const) {
      const records = await readTopic(environment.kafka, topics[role].name);
      handedBack.push(...records.filter((record) => record.headers[DEFERRED_SINCE_HEADER] !== undefined));
    }
  }, 300_000);

  afterAll(async () => {
    await environment?.stop();
  });

  it('meets limit answers that outlast an invocation (otherwise this test proves nothing)', () => {
    expect(env().simulator.stats().requests.limited).toBeGreaterThan(0);
    expect(handedBack.length).toBeGreaterThan(0);
  });

  it('spends none of the mapping retries on them and dead-letters nothing', () => {
    const summary = deadLetters.map((record) => {
      const letter = JSON.parse(record.value?.toString('utf8') ?? 'null');
      return `${letter.reason.code}: ${String(letter.reason.message).slice(0, 120)}`;
    });
    expect(summary).toEqual([]);
    for (const [name, mapping] of env().pipeline.mappings) {
      expect(mapping.counters.failedInvocations, name).toBe(0);
    }
  });

  it('collects everything in the end, and stores no limit body', async () => {
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
