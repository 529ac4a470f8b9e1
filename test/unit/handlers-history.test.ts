/**
 * collectHistory (functions/history/collect.ts) with the REAL AlphaVantage client against an in-process
 * simulator, and an in-memory store (the store is not the subject here). Expected bars come from the
 * simulator's own generator, and expected yearly extremes from a brute-force scan of the stored bars.
 */
import { describe, expect, it } from 'vitest';
import { collectHistory, type HistoryDeps, type HistoryStore } from '../../functions/history/collect.ts';
import type { DailyBar } from '../../functions/shared/alphavantage/index.ts';
import type { YearExtremes } from '../../functions/shared/domain/yearly-extremes.ts';
import { PermanentError } from '../../functions/shared/errors.ts';
import type { HistoryState } from '../../functions/shared/store/history.ts';
import { dailySeriesFor, lastTradingDate } from '../../localstack/simulator/index.ts';
import { type IndicatorConfig, resolveConfig } from '../../model/config.ts';
import { HISTORY_ASKED_SINCE_CLOSE } from '../../model/domain/freshness.ts';
import type { CollectHistory, CollectIndicator } from '../../model/messages.ts';
import { fixturePath } from '../support/fixtures.ts';
import { useSimulatorClient } from '../support/simulator-client.ts';

const FRIDAY = '2026-05-15T21:00:00Z';
const NEXT_FRIDAY = '2026-05-22T21:00:00Z';

/** An in-memory HistoryStore that records every write. */
class MemoryHistoryStore implements HistoryStore {
  readonly states = new Map<string, HistoryState>();
  readonly bars = new Map<string, Map<string, DailyBar>>();
  readonly extremes = new Map<string, Map<number, YearExtremes>>();
  readonly barWrites: string[][] = [];
  readonly writes: string[] = [];

  async getState(symbol: string) {
    const state = this.states.get(symbol);
    return state ? { ...state } : undefined;
  }
  async putBars(symbol: string, bars: readonly DailyBar[]) {
    this.writes.push('bars');
    this.barWrites.push(bars.map((bar) => bar.date));
    const stored = this.bars.get(symbol) ?? new Map<string, DailyBar>();
    for (const bar of bars) stored.set(bar.date, { ...bar });
    this.bars.set(symbol, stored);
  }
  async getExtremes(symbol: string, years: readonly number[]) {
    const stored = this.extremes.get(symbol) ?? new Map<number, YearExtremes>();
    return years.flatMap((year) => {
      const entry = stored.get(year);
      return entry ? [entry] : [];
    });
  }
  async putExtremes(symbol: string, extremes: readonly YearExtremes[]) {
    this.writes.push('extremes');
    const stored = this.extremes.get(symbol) ?? new Map<number, YearExtremes>();
    for (const entry of extremes) stored.set(entry.year, entry);
    this.extremes.set(symbol, stored);
  }
  async putState(symbol: string, state: HistoryState) {
    this.writes.push('state');
    this.states.set(symbol, { ...state });
  }
}

/** Highest and lowest close per year, earliest date on ties: computed by brute force. */
function bruteForceExtremes(bars: Iterable<DailyBar>): Map<number, { high: string; low: string }> {
  const byYear = new Map<number, DailyBar[]>();
  for (const bar of bars) {
    const year = Number(bar.date.slice(0, 4));
    byYear.set(year, [...(byYear.get(year) ?? []), bar]);
  }
  const result = new Map<number, { high: string; low: string }>();
  for (const [year, yearBars] of byYear) {
    const sorted = [...yearBars].sort((a, b) => a.date.localeCompare(b.date));
    const high = sorted.reduce((best, bar) => (bar.close > best.close ? bar : best));
    const low = sorted.reduce((best, bar) => (bar.close < best.close ? bar : best));
    result.set(year, { high: high.date, low: low.date });
  }
  return result;
}

function storedExtremes(store: MemoryHistoryStore, symbol: string) {
  return new Map(
    [...(store.extremes.get(symbol)?.values() ?? [])].map((entry) => [
      entry.year,
      { high: entry.high.date, low: entry.low.date },
    ]),
  );
}

const command = (symbol: string, issuedAt: string, outputsize?: 'compact' | 'full'): CollectHistory => ({
  type: 'collect-history',
  v: 1,
  commandId: `history-${symbol}-${issuedAt}`,
  correlationId: `history-daily@${issuedAt}`,
  issuedAt,
  symbol,
  ...(outputsize ? { outputsize } : {}),
});

const av = useSimulatorClient({ now: FRIDAY });

/** The default configuration's indicators: all daily, computed from the stored closes. */
const COMPUTED: IndicatorConfig[] = resolveConfig({}).indicators;

function deps(store: MemoryHistoryStore, premium: boolean) {
  const warnings: Array<{ message: string; details: Record<string, unknown> }> = [];
  const published: CollectIndicator[][] = [];
  const value: HistoryDeps = {
    alphaVantage: av.client,
    store,
    premium,
    computedIndicators: COMPUTED,
    publishIndicators: async (commands) => {
      store.writes.push('publish-indicators');
      published.push(commands);
    },
    warn: (message, details) => warnings.push({ message, details }),
  };
  return { deps: value, warnings, published };
}

describe('collectHistory against the simulator', () => {
  it('first load on the free plan stores the latest 100 days and warns that older history is missing', async () => {
    // Prepare
    const store = new MemoryHistoryStore();
    const { deps: free, warnings, published } = deps(store, false);
    const expected = dailySeriesFor('IBM', new Date(FRIDAY)).slice(-100);

    // Act
    const outcome = await collectHistory(command('IBM', FRIDAY), free);

    // Assess
    expect(outcome).toMatchObject({
      outputsize: 'compact',
      newBars: 100,
      lastStoredDate: '2026-05-15',
      indicatorsPublished: COMPUTED.length,
    });
    expect(published).toHaveLength(1);
    expect(published[0]?.map((c) => [c.symbol, c.issuedAt, c.indicator])).toEqual(
      COMPUTED.map((indicator) => ['IBM', FRIDAY, indicator]),
    );
    expect([...(store.bars.get('IBM')?.values() ?? [])].sort((a, b) => a.date.localeCompare(b.date))).toEqual(
      expected.map(({ date, open, high, low, close, volume }) => ({ date, open, high, low, close, volume })),
    );
    expect(store.states.get('IBM')).toEqual({
      lastStoredDate: expected.at(-1)?.date,
      firstStoredDate: expected[0]?.date,
      fullLoadDone: false,
      lastAskedAt: FRIDAY,
      lastAnsweredDate: expected.at(-1)?.date,
    });
    expect(storedExtremes(store, 'IBM')).toEqual(bruteForceExtremes(store.bars.get('IBM')?.values() ?? []));
    expect(warnings.map((w) => w.details.code)).toEqual(['history-truncated']);
    // Crash safety: bars, then extremes, then the watermark; the indicators computed from them after that.
    expect(store.writes).toEqual(['bars', 'extremes', 'state', 'publish-indicators']);
    expect(av.simulator.stats().requests.byFunction).toEqual({ TIME_SERIES_DAILY: 1 });
  });

  it('a later run only adds the new days, and a repeat run adds nothing', async () => {
    // Prepare: a first load on Friday, then the clock moves on a week
    const store = new MemoryHistoryStore();
    const { deps: free, published } = deps(store, false);
    await collectHistory(command('MSFT', FRIDAY), free);
    av.simulator.configure({ now: NEXT_FRIDAY });
    const firstLast = lastTradingDate(new Date(FRIDAY));
    const newDays = dailySeriesFor('MSFT', new Date(NEXT_FRIDAY)).filter((bar) => bar.date > firstLast);

    // Act
    const second = await collectHistory(command('MSFT', NEXT_FRIDAY), free);
    const repeat = await collectHistory(command('MSFT', NEXT_FRIDAY), free);

    // Assess
    expect(newDays.map((bar) => bar.date)).toEqual([
      '2026-05-18',
      '2026-05-19',
      '2026-05-20',
      '2026-05-21',
      '2026-05-22',
    ]);
    expect(second).toMatchObject({ outputsize: 'compact', newBars: 5, lastStoredDate: '2026-05-22' });
    expect(store.barWrites[1]?.sort()).toEqual(newDays.map((bar) => bar.date));
    expect(store.bars.get('MSFT')?.get('2026-05-20')?.close).toBe(newDays[2]?.close);
    expect(store.bars.get('MSFT')?.size).toBe(105);
    expect(storedExtremes(store, 'MSFT')).toEqual(bruteForceExtremes(store.bars.get('MSFT')?.values() ?? []));
    expect(store.states.get('MSFT')).toMatchObject({ lastStoredDate: '2026-05-22', fullLoadDone: false });
    // The repeat is recognised before the call: the newest closed trading day is stored.
    expect(repeat).toEqual({
      fresh: 'the newest closed trading day is stored',
      outputsize: 'compact',
      newBars: 0,
      changedYears: [],
      lastStoredDate: '2026-05-22',
      indicatorsPublished: COMPUTED.length,
    });
    // A replay re-publishes the same follow-ups (a crash may have come between storing and publishing).
    expect(published).toHaveLength(3);
    expect(published[2]).toEqual(published[1]);
    expect(store.barWrites).toHaveLength(2);
    expect(av.simulator.stats().requests.total).toBe(2);
  });

  it('first load on a premium plan asks for the full history and records it', async () => {
    // Prepare
    const store = new MemoryHistoryStore();
    const { deps: premium, warnings } = deps(store, true);
    const all = dailySeriesFor('AAPL', new Date(FRIDAY));

    // Act
    const outcome = await collectHistory(command('AAPL', FRIDAY), premium);

    // Assess
    expect(outcome.outputsize).toBe('full');
    expect(outcome.newBars).toBe(all.length);
    expect(store.states.get('AAPL')).toEqual({
      lastStoredDate: all.at(-1)?.date,
      firstStoredDate: all[0]?.date,
      fullLoadDone: true,
      lastAskedAt: FRIDAY,
      lastAnsweredDate: all.at(-1)?.date,
    });
    expect(outcome.changedYears).toEqual([...new Set(all.map((bar) => Number(bar.date.slice(0, 4))))]);
    expect(storedExtremes(store, 'AAPL')).toEqual(bruteForceExtremes(all));
    expect(warnings).toEqual([]);
  });

  it('refuses outputsize=full on the free plan without calling AlphaVantage or writing', async () => {
    // Prepare
    const store = new MemoryHistoryStore();
    const { deps: free } = deps(store, false);

    // Act
    const run = collectHistory(command('IBM', FRIDAY, 'full'), free);

    // Assess
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof PermanentError && error.code === 'premium-only',
    );
    expect(av.simulator.stats().requests.total).toBe(0);
    expect(store.writes).toEqual([]);
  });

  it('fails permanently for a symbol AlphaVantage does not know, writing nothing', async () => {
    // Prepare
    const store = new MemoryHistoryStore();
    const { deps: free, published } = deps(store, false);

    // Act
    const run = collectHistory(command('UNKNOWN', FRIDAY), free);

    // Assess: and no indicator follows (it would find no prices)
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof PermanentError && error.code === 'api-error',
    );
    expect(store.writes).toEqual([]);
    expect(published).toEqual([]);
  });
});

describe('collectHistory with a real provisional response', () => {
  // Fixture mode: TIME_SERIES_DAILY-MSFT-compact-2019.json, whose "Last Refreshed" is "2019-01-22 12:41:14"
  const recorded = useSimulatorClient({ fixturesDir: fixturePath('alphavantage') }, { maxAttempts: 1 });

  it('leaves out the day whose close is still an intraday price', async () => {
    // Prepare
    const store = new MemoryHistoryStore();
    const free: HistoryDeps = {
      alphaVantage: recorded.client,
      store,
      premium: false,
      computedIndicators: [],
      publishIndicators: async () => {},
      warn: () => {},
    };

    // Act
    const outcome = await collectHistory(command('MSFT', '2019-01-22T17:45:00Z'), free);

    // Assess: 100 days in the response, 2019-01-22 is provisional
    expect(outcome).toMatchObject({ newBars: 99, lastStoredDate: '2019-01-18' });
    expect(store.bars.get('MSFT')?.has('2019-01-22')).toBe(false);
    expect(store.bars.get('MSFT')?.get('2019-01-18')?.close).toBe(107.71);
    expect(store.states.get('MSFT')).toMatchObject({
      lastStoredDate: '2019-01-18',
      firstStoredDate: '2018-08-28',
    });
  });
});

describe('collectHistory calls once per closed trading day', () => {
  it.each([
    ['Friday 17:30 ET, Thursday stored', '2026-05-15T21:30:00Z', '2026-05-14', 1],
    ['Friday 17:30 ET, Friday stored', '2026-05-15T21:30:00Z', '2026-05-15', 0],
    ['Friday 11:00 ET (session open), Thursday stored', '2026-05-15T15:00:00Z', '2026-05-14', 0],
    ['Saturday, Friday stored', '2026-05-16T15:00:00Z', '2026-05-15', 0],
    ['Memorial Day evening, Friday stored', '2026-05-25T21:30:00Z', '2026-05-22', 0],
  ])('%s -> %s call(s)', async (_case, issuedAt, lastStoredDate, calls) => {
    const store = new MemoryHistoryStore();
    store.states.set('MSFT', { lastStoredDate, firstStoredDate: '2026-01-02', fullLoadDone: false });
    av.simulator.configure({ now: issuedAt });

    const outcome = await collectHistory(command('MSFT', issuedAt), deps(store, false).deps);

    expect(av.simulator.stats().requests.total).toBe(calls);
    expect(outcome.fresh === undefined).toBe(calls === 1);
  });
});

describe('collectHistory remembers an ask that brought nothing newer', () => {
  // QBB was delisted on 2025-10-03: its newest bar stays far behind every later close, as for a halted symbol
  // or a lagging source.
  const DELISTED = 'QBB';
  const SAME_EVENING = '2026-05-15T23:00:00Z';
  const MONDAY_EVENING = '2026-05-18T21:30:00Z';

  it('asks once per closed trading day, compact only once the full history is stored', async () => {
    // Prepare: a premium first load stores the full history, up to the delisting
    const store = new MemoryHistoryStore();
    const { deps: premium, warnings } = deps(store, true);
    const first = await collectHistory(command(DELISTED, FRIDAY), premium);
    const afterFirst = av.simulator.stats().requests.total;

    // Act: a second cycle the same evening, then Monday after the close
    const sameEvening = await collectHistory(command(DELISTED, SAME_EVENING), premium);
    const callsSameEvening = av.simulator.stats().requests.total - afterFirst;
    av.simulator.configure({ now: MONDAY_EVENING });
    const monday = await collectHistory(command(DELISTED, MONDAY_EVENING), premium);

    // Assess
    expect(first).toMatchObject({ outputsize: 'full', lastStoredDate: '2025-10-03' });
    expect(afterFirst).toBe(1);
    expect(callsSameEvening).toBe(0);
    expect(sameEvening.fresh).toBe(HISTORY_ASKED_SINCE_CLOSE);
    expect(monday).toMatchObject({ outputsize: 'compact', newBars: 0, lastStoredDate: '2025-10-03' });
    expect(av.simulator.stats().requests.byOutputsize).toEqual({ full: 1, compact: 1 });
    expect(store.states.get(DELISTED)).toMatchObject({
      lastStoredDate: '2025-10-03',
      fullLoadDone: true,
      lastAskedAt: MONDAY_EVENING,
      lastAnsweredDate: '2025-10-03',
    });
    expect(warnings).toEqual([]);
  });

  it('a replay of the last ask costs no call and leaves the state as it was', async () => {
    // Prepare
    const store = new MemoryHistoryStore();
    const { deps: premium } = deps(store, true);
    await collectHistory(command(DELISTED, FRIDAY), premium);
    av.simulator.configure({ now: MONDAY_EVENING });
    await collectHistory(command(DELISTED, MONDAY_EVENING), premium);
    const state = structuredClone(store.states.get(DELISTED));
    const writes = store.writes.length;

    // Act: the Monday command again, and Friday's arriving late
    await collectHistory(command(DELISTED, MONDAY_EVENING), premium);
    await collectHistory(command(DELISTED, FRIDAY), premium);

    // Assess: only the follow-up indicators are published again
    expect(av.simulator.stats().requests.total).toBe(2);
    expect(store.states.get(DELISTED)).toEqual(state);
    expect(store.writes.slice(writes)).toEqual(['publish-indicators', 'publish-indicators']);
  });

  it('never asks for full again once the full history is stored, also when a backfill asks for it', async () => {
    // Prepare
    const store = new MemoryHistoryStore();
    const { deps: premium } = deps(store, true);
    await collectHistory(command('IBM', FRIDAY), premium);
    av.simulator.configure({ now: NEXT_FRIDAY });

    // Act
    const backfill = await collectHistory(command('IBM', NEXT_FRIDAY, 'full'), premium);

    // Assess
    expect(backfill).toMatchObject({ outputsize: 'compact', newBars: 5, lastStoredDate: '2026-05-22' });
    expect(store.states.get('IBM')).toMatchObject({ fullLoadDone: true, lastAskedAt: NEXT_FRIDAY });
  });
});
