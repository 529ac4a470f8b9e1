/**
 * End to end under AlphaVantage faults: a collection cycle while the simulator answers a share of the requests
 * with HTTP 5xx, holds others until the client times out, cuts bodies in half and answers over its quota with
 * the premium per-minute limit body. The client retries in place, the event source mapping retries the
 * records; the cycle must still end with exactly the data of a fault-free run, nothing dead-lettered but the
 * records that can never succeed (a watchlist symbol AlphaVantage does not know), and no error body stored.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FaultRule } from '../../localstack/simulator/index.ts';
import { indicatorId } from '../../model/config.ts';
import { assertCollectedData, itemsWithErrorBodies, readAllTables } from '../support/e2e-expectations.ts';
import { type E2eEnvironment, runCollectionCycle, startE2e } from '../support/e2e-harness.ts';
import { type ReadRecord, readTopic } from '../support/kafka.ts';

/** After the close on a Friday; a 2007 clock keeps the full histories short (see e2e-cycle.test.ts). */
const SIMULATOR_NOW = new Date('2007-06-15T21:00:00Z');
const SYMBOLS = ['AMZN', 'GOOGL', 'JPM'];
/** In the simulator's list of symbols it has no data for: every dataset of it fails for good. */
const UNKNOWN = 'INVALID';

/** Seeded coins; the first rule that fires decides. Roughly 30 % of the requests fail. */
const FAULTS: FaultRule[] = [
  // Deterministic: JPM's first quote call fails both of its attempts, so at least one record certainly goes back
  // to the event source mapping for a retry, whatever the coins below do.
  { mode: 'http-error', count: 2, symbols: ['JPM'], functions: ['GLOBAL_QUOTE'], status: 503 },
  { mode: 'http-error', probability: 0.12, status: 503 },
  { mode: 'http-error', probability: 0.04, status: 500 },
  { mode: 'timeout', probability: 0.06 },
  { mode: 'malformed-json', probability: 0.1 },
];
/** Over this many requests a second the simulator answers with AlphaVantage's premium limit body. */
const REQUESTS_PER_SECOND = 6;
/** The client gives up on a held request after this long (and retries it). */
const CLIENT_TIMEOUT_MS = 1_000;

describe('e2e: a collection cycle under AlphaVantage faults ends with complete, clean data', () => {
  let environment: E2eEnvironment | undefined;
  let deadLetters: ReadRecord[] = [];
  let cycleMs = 0;
  const env = () => environment as E2eEnvironment;

  beforeAll(async () => {
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'fault',
      config: {
        universe: { watchlist: [...SYMBOLS, UNKNOWN] },
        // Two attempts per call: the client retries a fault in place, and a second fault in a row (about 7 % of
        // calls, so several per cycle) fails the record, which the event source mapping then retries: both
        // recovery paths are exercised. (With 3 attempts plus in-place limit waits a cycle may need no record retry.)
        alphaVantage: { timeoutMs: CLIENT_TIMEOUT_MS, maxAttempts: 2 },
        // A record may meet several faults in a row (each retry is a new coin toss, and a burst of retries
        // meets the quota again): a larger retry budget than the default 3, so the test is about recovering
        // the data, not about the odds of one record failing 4 times in a row.
        consumers: { retryAttempts: 20 },
      },
      simulator: {
        now: SIMULATOR_NOW,
        plan: 'premium75',
        quotas: { perSecond: REQUESTS_PER_SECOND },
        faults: FAULTS,
        faultSeed: 7,
      },
      retryBackoff: { initialMs: 200, maxMs: 2_000 },
    });
    const started = Date.now();
    await runCollectionCycle(environment, 150_000);
    cycleMs = Date.now() - started;
    const { requests } = environment.simulator.stats();
    const retries = [...environment.pipeline.mappings.values()].reduce(
      (sum, m) => sum + m.counters.retries,
      0,
    );
    const longestRetryRun = Math.max(
      0,
      ...environment.runnerLog.map((line) => Number(line.extra?.retry ?? 0)).filter(Number.isFinite),
    );
    console.info(
      `e2e-faults: one cycle under faults took ${(cycleMs / 1000).toFixed(1)} s: ${requests.total} requests, ` +
        `faults ${JSON.stringify(requests.faultsByMode)}, ${requests.limited} limit answers, ${retries} record retries (at most ${longestRetryRun} in a row)`,
    );
    deadLetters = await readTopic(environment.kafka, environment.config.topics.deadLetter.name);
  });

  afterAll(async () => {
    await environment?.stop();
  });

  it('really met every kind of fault, and retried through them', () => {
    const { requests } = env().simulator.stats();
    expect(requests.faultsByMode['http-error']).toBeGreaterThan(0);
    expect(requests.faultsByMode.timeout).toBeGreaterThan(0);
    expect(requests.faultsByMode['malformed-json']).toBeGreaterThan(0);
    expect(requests.limited).toBeGreaterThan(0);
    // A fault-free cycle makes 11 requests per known symbol (4 fundamentals, 1 history, 1 quote, 5 indicators).
    expect(requests.byOutcome.data).toBeGreaterThanOrEqual(SYMBOLS.length * 11);
    expect(requests.total).toBeGreaterThan(
      requests.byOutcome.data + requests.byOutcome.error + requests.byOutcome.empty,
    );
    const failedInvocations = [...env().pipeline.mappings.values()].reduce(
      (sum, mapping) => sum + mapping.counters.failedInvocations,
      0,
    );
    expect(failedInvocations, 'the event source mappings retried records').toBeGreaterThan(0);
  });

  it('stores exactly what a fault-free cycle stores', async () => {
    const { config, doc, tables } = env();
    const contents = await readAllTables(doc, tables);
    assertCollectedData(contents, config, {
      symbols: SYMBOLS,
      securities: [...SYMBOLS, UNKNOWN],
      simulatorNow: SIMULATOR_NOW,
    });
  });

  it('stores no AlphaVantage error, limit or notice body anywhere', async () => {
    const { doc, tables } = env();
    expect(itemsWithErrorBodies(await readAllTables(doc, tables))).toEqual([]);
  });

  it('dead-letters only the permanent failures: each dataset of the unknown symbol, once, with its reason', () => {
    const { config } = env();
    const letters = deadLetters.map((record) => JSON.parse(record.value?.toString('utf8') ?? 'null'));
    const summary = letters
      .map((letter) => {
        const command = JSON.parse(Buffer.from(letter.originalValue, 'base64').toString('utf8'));
        const what = command.indicator ? ` ${indicatorId(command.indicator)}` : '';
        // Dead letters name the function (`<prefix>-<handler>`); compare by handler.
        const handler = String(letter.handler).replace(`${env().config.prefix}-`, '');
        return `${handler} ${command.symbol}${what}: ${letter.reason.code}`;
      })
      .sort();
    expect(summary).toEqual(
      [
        `overview ${UNKNOWN}: no-data`,
        `history ${UNKNOWN}: api-error`,
        `quote ${UNKNOWN}: no-data`,
        ...config.indicators.map((indicator) => `indicators ${UNKNOWN} ${indicatorId(indicator)}: api-error`),
      ].sort(),
    );
  });
});
