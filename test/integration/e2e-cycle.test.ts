/**
 * End to end, as `npm start` runs it: schedule firings -> dispatcher -> securities fan-out -> overview,
 * history, quote and indicator handlers -> DynamoDB, on the real broker and the real AWS emulator, with only
 * AlphaVantage simulated (in-process, clock pinned). Then a replay of every command topic from offset 0,
 * which must leave every table exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dailySeriesFor } from '../../localstack/simulator/index.ts';
import type { TableRole } from '../../model/config.ts';
import {
  assertCollectedData,
  expectedYearlyExtremes,
  itemsWithErrorBodies,
  readAllTables,
} from '../support/e2e-expectations.ts';
import {
  COMMAND_ROLES,
  type E2eEnvironment,
  resetGroupsToEarliest,
  runCollectionCycle,
  scanItems,
  snapshotAllTables,
  startE2e,
} from '../support/e2e-harness.ts';
import { readTopic } from '../support/kafka.ts';

/**
 * A Friday after the close (17:00 in New York), so the day's bar is final. In 2007 on purpose: the full
 * history (from 1999-11-01) is then ~1,900 bars per symbol, nine trading years of extremes, including the
 * 2001 closures; a 2026 clock would triple the items and the emulator reads only ~2,000 items a second.
 */
const SIMULATOR_NOW = new Date('2007-06-15T21:00:00Z');
const WATCHLIST = ['IBM', 'MSFT', 'AAPL', 'NVDA'];
/** Four weeks later, across the 4th of July: the later history run. */
const LATER = new Date('2007-07-13T21:00:00Z');

describe('e2e: one full collection cycle', () => {
  let environment: E2eEnvironment | undefined;
  let cycleMs = 0;
  /**
   * Where the commands' issue time stands against the wall clock: four weeks behind for the first cycle, so that
   * the later history run (below) can be four weeks later with the simulator without issuing in the future.
   */
  let commandClockOffsetMs = -(LATER.getTime() - SIMULATOR_NOW.getTime());

  const env = (): E2eEnvironment => {
    if (!environment) throw new Error('the e2e environment did not start');
    return environment;
  };

  beforeAll(async () => {
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'cycle',
      config: { universe: { watchlist: WATCHLIST } },
      simulator: { now: SIMULATOR_NOW },
      schedulerClock: () => Date.now() + commandClockOffsetMs,
    });
    const started = Date.now();
    await runCollectionCycle(environment);
    cycleMs = Date.now() - started;
    console.info(
      `e2e-cycle: one cycle for ${WATCHLIST.length} symbols took ${(cycleMs / 1000).toFixed(1)} s`,
    );
  });

  afterAll(async () => {
    await environment?.stop();
  });

  it('stores securities, full daily history, yearly extremes, fundamentals, quotes and indicators', async () => {
    // Prepare
    const { config, doc, tables, simulator } = env();

    // Act
    const contents = await readAllTables(doc, tables);

    // Assess
    assertCollectedData(contents, config, {
      symbols: WATCHLIST,
      securities: WATCHLIST,
      simulatorNow: SIMULATOR_NOW,
    });
    expect(itemsWithErrorBodies(contents)).toEqual([]);
    // Every dataset was fetched exactly once per symbol (history as one `full` request), nothing more.
    const stats = simulator.stats();
    for (const symbol of WATCHLIST)
      expect(stats.requests.bySymbol[symbol], symbol).toBe(4 + 1 + 1 + config.indicators.length);
    expect(stats.requests.byOutcome.data).toBe(stats.requests.total);
  });

  it('dead-letters nothing and retries nothing on a fault-free cycle', async () => {
    // Prepare
    const { kafka, config, pipeline } = env();

    // Act
    const deadLetters = await readTopic(kafka, config.topics.deadLetter.name);

    // Assess
    expect(deadLetters).toEqual([]);
    for (const [name, mapping] of pipeline.mappings) {
      expect(mapping.counters.failedInvocations, name).toBe(0);
      expect(mapping.counters.onFailureSends, name).toBe(0);
    }
  });

  it('replaying every command topic from offset 0 leaves every table unchanged, item for item', async () => {
    // Prepare: the tables as the cycle left them, and the command topics as they are now.
    const current = env();
    const before = await snapshotAllTables(current);
    const topicsBefore = Object.fromEntries(
      await Promise.all(
        COMMAND_ROLES.map(
          async (role) => [role, await readTopic(current.kafka, current.config.topics[role].name)] as const,
        ),
      ),
    );
    expect(before.dailyPrices.length).toBeGreaterThan(WATCHLIST.length * 250);
    const requestsBefore = current.simulator.stats().requests.total;

    // Act: stop the mappings, move every handler's consumer group back to offset 0, start them again.
    const replay = await current.restart(() => resetGroupsToEarliest(current.kafka, current.config));
    await replay.waitUntilIdle({ timeoutMs: 120_000 });

    // Assess: every record of every command topic was delivered again ...
    for (const role of COMMAND_ROLES) {
      const mapping = replay.mappings.get(role);
      expect(mapping?.counters.records, role).toBeGreaterThanOrEqual(topicsBefore[role]?.length ?? 0);
      expect(mapping?.counters.failedInvocations, role).toBe(0);
    }
    // ... at no AlphaVantage cost: each handler finds its own result, or its own ask, recorded ...
    expect(current.simulator.stats().requests.total).toBe(requestsBefore);
    // ... the replayed fan-out re-published byte-identical commands (deterministic ids) ...
    for (const role of ['overview', 'history', 'quote', 'indicators'] as const) {
      const after = await readTopic(current.kafka, current.config.topics[role].name);
      const values = (records: typeof after) =>
        records.map((record) => record.value?.toString('base64') ?? '').sort();
      const original = values(topicsBefore[role] ?? []);
      expect(values(after), role).toEqual([...original, ...original].sort());
    }
    // ... and no table changed, not one attribute of one item.
    const after = await snapshotAllTables(current);
    for (const role of Object.keys(before) as TableRole[]) {
      const kept = new Set(after[role]);
      const had = new Set(before[role]);
      expect(
        {
          count: after[role].length,
          lost: before[role].filter((item) => !kept.has(item)).slice(0, 3),
          gained: after[role].filter((item) => !had.has(item)).slice(0, 3),
        },
        role,
      ).toEqual({ count: before[role].length, lost: [], gained: [] });
    }
    expect(await readTopic(current.kafka, current.config.topics.deadLetter.name)).toEqual([]);
    // As long as the idle wait above may take, plus the reads: on a loaded 2-core machine a replay passes 60 s.
  }, 180_000);

  it('a later history run appends the new trading days and folds them into the stored extremes', async () => {
    // Prepare: four weeks later, across the 4th of July, the simulator has new bars.
    const { simulator, pipeline, doc, tables } = env();
    const later = LATER;
    simulator.configure({ now: later.toISOString() });
    // The schedule fires four weeks later too: the same day, history asked already would wait for the next close.
    commandClockOffsetMs = 0;

    // Act
    await pipeline.scheduler?.fireNow('history');
    await pipeline.waitUntilIdle({ timeoutMs: 60_000 });

    // Assess
    const [prices, extremes] = await Promise.all([
      scanItems(doc, tables.dailyPrices),
      scanItems(doc, tables.yearlyExtremes),
    ]);
    for (const symbol of WATCHLIST) {
      const bars = dailySeriesFor(symbol, later);
      expect(bars.length - dailySeriesFor(symbol, SIMULATOR_NOW).length, symbol).toBe(19);
      const stored = prices
        .filter((item) => item.symbol === symbol && item.date !== '#history')
        .sort((a, b) => ((a.date as string) < (b.date as string) ? -1 : 1));
      expect(stored, symbol).toEqual(bars.map((bar) => ({ symbol, ...bar })));
      expect(prices.find((item) => item.symbol === symbol && item.date === '#history')).toMatchObject({
        lastStoredDate: bars.at(-1)?.date,
        firstStoredDate: bars[0]?.date,
      });
      expect(
        extremes
          .filter((item) => item.symbol === symbol)
          .sort((a, b) => (a.year as number) - (b.year as number)),
        symbol,
      ).toEqual(expectedYearlyExtremes(symbol, bars));
    }
  });

  it('the expectations are not vacuous: the series differ per symbol and span many years', () => {
    const lengths = WATCHLIST.map((symbol) => dailySeriesFor(symbol, SIMULATOR_NOW).length);
    const lastCloses = new Set(
      WATCHLIST.map((symbol) => dailySeriesFor(symbol, SIMULATOR_NOW).at(-1)?.close),
    );
    expect(Math.min(...lengths)).toBeGreaterThan(252 * 5);
    expect(lastCloses.size).toBe(WATCHLIST.length);
  });
});
