/**
 * collectUniverse (functions/securities/collect.ts): the securities (watchlist, or LISTING_STATUS filtered) and
 * the per-security fan-out. The AlphaVantage port is the REAL client against an in-process simulator; the
 * securities table and the publisher are in-memory recorders.
 */
import { describe, expect, it } from 'vitest';
import {
  collectUniverse,
  type SecuritiesDeps,
  type StoredSecurity,
  type UniverseSettings,
} from '../../functions/securities/collect.ts';
import type { FanOutPlan } from '../../functions/shared/domain/fan-out.ts';
import { type IndicatorConfig, indicatorId, resolveConfig } from '../../model/config.ts';
import type { NoDataEntry } from '../../model/domain/no-data.ts';
import type { CollectUniverse } from '../../model/messages.ts';
import { useSimulatorClient } from '../support/simulator-client.ts';

const NOW = '2026-05-15T10:00:00Z';
/** The defaults are computed (they follow history); the same ones fetched from AlphaVantage are fanned out. */
const indicators = resolveConfig({}).indicators;
const fetched = indicators.map((indicator) => ({ ...indicator, source: 'alphavantage' as const }));

const command = (overrides: Partial<CollectUniverse> = {}): CollectUniverse => ({
  type: 'collect-universe',
  v: 1,
  commandId: '5eed5eed5eed5eed5eed5eed5eed5eed',
  correlationId: `universe-daily@${NOW}`,
  issuedAt: NOW,
  refreshListing: false,
  datasets: ['quote'],
  ...overrides,
});

function settings(overrides: Partial<UniverseSettings> = {}): UniverseSettings {
  return {
    source: 'watchlist',
    watchlist: ['IBM', 'MSFT'],
    exchanges: ['NYSE', 'NASDAQ'],
    assetTypes: ['Stock'],
    indicators,
    collectWhatFits: false,
    ...overrides,
  };
}

const av = useSimulatorClient({ now: NOW });

/** The securities table and the publisher, in memory. */
function recorders(
  universe: UniverseSettings,
  stored: StoredSecurity[] = [],
  remainingToday: number | null = 25,
  remembered: NoDataEntry[] = [],
) {
  const table = new Map(stored.map((security) => [security.symbol, security]));
  const published: FanOutPlan[] = [];
  const deps: SecuritiesDeps = {
    alphaVantage: av.client,
    settings: universe,
    listStored: async () => [...table.values()],
    upsert: async (securities) => {
      for (const security of securities) table.set(security.symbol, { ...security });
    },
    publish: async (plan) => {
      published.push(structuredClone(plan));
    },
    budget: { remainingToday: async () => remainingToday },
    remembered: async () => remembered,
  };
  return { deps, table, published };
}

describe('collectUniverse: watchlist', () => {
  it('stores the watchlist, skips invalid entries and fans out per symbol and dataset without calling AlphaVantage', async () => {
    // Prepare
    const { deps, table, published } = recorders(
      settings({
        watchlist: ['msft', 'IBM', 'not a ticker', 'IBM'],
        indicators: [...indicators, ...fetched],
      }),
    );

    // Act
    const outcome = await collectUniverse(command({ datasets: ['overview', 'indicators'] }), deps);

    // Assess
    expect(outcome.source).toBe('watchlist');
    expect(outcome.securities).toBe(2);
    expect(outcome.skipped.map((skip) => skip.symbol).sort()).toEqual(['IBM', 'not a ticker']);
    expect([...table.values()]).toEqual([
      { symbol: 'IBM', source: 'watchlist', collectedAt: NOW },
      { symbol: 'MSFT', source: 'watchlist', collectedAt: NOW },
    ]);
    expect(outcome.published).toEqual({
      overview: 2,
      history: 0,
      quote: 0,
      indicators: 2 * fetched.length,
    });
    expect(published[0]?.overview.map((c) => c.symbol)).toEqual(['IBM', 'MSFT']);
    expect(av.simulator.stats().requests.total).toBe(0);
  });

  it('only refreshes the universe when no dataset is requested', async () => {
    // Prepare
    const { deps, table, published } = recorders(settings());

    // Act
    const outcome = await collectUniverse(command({ datasets: [], refreshListing: true }), deps);

    // Assess
    expect(table.size).toBe(2);
    expect(outcome.published).toEqual({ overview: 0, history: 0, quote: 0, indicators: 0 });
    expect(published).toHaveLength(1);
  });

  it('restricts the fan-out to the requested symbols', async () => {
    // Prepare
    const { deps, published } = recorders(settings({ watchlist: ['IBM', 'MSFT', 'AAPL'] }));

    // Act
    await collectUniverse(command({ symbols: ['AAPL', 'TSLA'] }), deps);

    // Assess
    expect(published[0]?.quote.map((c) => c.symbol)).toEqual(['AAPL']);
  });

  it('fans out the same child commands when the same command is replayed', async () => {
    // Prepare
    const first = recorders(settings());
    const replay = recorders(settings());

    // Act
    await collectUniverse(command({ datasets: ['history', 'quote'] }), first.deps);
    await collectUniverse(command({ datasets: ['history', 'quote'] }), replay.deps);

    // Assess
    expect(replay.published).toEqual(first.published);
  });
});

describe('collectUniverse: listing', () => {
  it('fetches LISTING_STATUS on a refresh, keeps active NYSE/NASDAQ stocks and stores them', async () => {
    // Prepare
    const { deps, table, published } = recorders(settings({ source: 'listing' }));

    // Act
    const outcome = await collectUniverse(command({ refreshListing: true, datasets: ['quote'] }), deps);

    // Assess
    expect(outcome.source).toBe('listing');
    expect(av.simulator.stats().requests.byFunction).toEqual({ LISTING_STATUS: 1 });
    const stored = [...table.values()];
    expect(stored.length).toBe(outcome.securities);
    expect(stored.length).toBeGreaterThan(10);
    expect(
      stored.every((s) => ['NYSE', 'NASDAQ'].includes(s.exchange ?? '') && s.assetType === 'Stock'),
    ).toBe(true);
    expect(stored.every((s) => s.source === 'listing' && s.collectedAt === NOW)).toBe(true);
    expect(table.get('IBM')).toMatchObject({ exchange: 'NYSE', assetType: 'Stock' });
    expect(table.has('SPY')).toBe(false);
    expect(published[0]?.quote).toHaveLength(stored.length);
  });

  it('fans out over the stored universe without spending quota when no refresh is asked', async () => {
    // Prepare
    const stored: StoredSecurity[] = ['AAPL', 'IBM'].map((symbol) => ({
      symbol,
      exchange: 'NYSE',
      assetType: 'Stock',
      source: 'listing',
      collectedAt: '2026-05-14T10:00:00Z',
    }));
    const { deps, published } = recorders(settings({ source: 'listing' }), stored);

    // Act
    const outcome = await collectUniverse(command({ datasets: ['history'] }), deps);

    // Assess
    expect(outcome.source).toBe('stored');
    expect(av.simulator.stats().requests.total).toBe(0);
    expect(published[0]?.history.map((c) => c.symbol)).toEqual(['AAPL', 'IBM']);
  });

  it('fetches the listing when nothing is stored yet, even without a refresh', async () => {
    // Prepare
    const { deps, table } = recorders(settings({ source: 'listing' }));

    // Act
    const outcome = await collectUniverse(command({ refreshListing: false }), deps);

    // Assess
    expect(outcome.source).toBe('listing');
    expect(table.size).toBeGreaterThan(0);
  });

  it('fetches the listing when only watchlist entries are stored (the source was switched to listing)', async () => {
    // Prepare: a table left by watchlist mode
    const leftovers: StoredSecurity[] = [
      { symbol: 'IBM', source: 'watchlist', collectedAt: '2026-05-14T10:00:00Z' },
    ];
    const { deps, published } = recorders(settings({ source: 'listing' }), leftovers);

    // Act
    const outcome = await collectUniverse(command({ refreshListing: false, datasets: ['quote'] }), deps);

    // Assess: fanning out over nothing until the next universe refresh would silently skip a collection
    expect(outcome.securities).toBeGreaterThan(0);
    expect(published[0]?.quote.length ?? 0).toBeGreaterThan(0);
  });
});

describe('collectUniverse: collect what fits', () => {
  const watchlist = ['IBM', 'MSFT', 'AAPL', 'NVDA', 'AMZN'];
  const all = ['overview', 'history', 'quote', 'indicators'] as const;

  it('publishes everything, without a budget check, when the configuration refuses to go over budget', async () => {
    const { deps, published } = recorders(settings({ watchlist, indicators: fetched }), [], 3);

    const outcome = await collectUniverse(command({ datasets: [...all] }), deps);

    expect(outcome.published).toEqual({ overview: 5, history: 5, quote: 5, indicators: 25 });
    expect(outcome.deferred).toBeUndefined();
    expect(published).toHaveLength(1);
  });

  it('publishes the watchlist quotes first, then what the remaining budget covers, and says what it deferred', async () => {
    const { deps, published } = recorders(
      settings({ watchlist, collectWhatFits: true, indicators: fetched }),
      [],
      12,
    );

    const outcome = await collectUniverse(command({ datasets: [...all] }), deps);

    // 5 quotes + 5 history + 2 indicators = 12 calls; no overview (4 each) fits in what is left.
    expect(outcome.published).toEqual({ overview: 0, history: 5, quote: 5, indicators: 2 });
    expect(outcome.deferred).toEqual({ overview: 5, history: 0, quote: 0, indicators: 23 });
    expect(published[0]?.quote.map((quote) => quote.symbol).sort()).toEqual([...watchlist].sort());
  });

  it('leaves computed indicators to history: they neither cost nor wait for budget here', async () => {
    const { deps } = recorders(settings({ watchlist, collectWhatFits: true }), [], 0);

    const outcome = await collectUniverse(command({ datasets: ['quote', 'indicators'] }), deps);

    expect(outcome.published).toEqual({ overview: 0, history: 0, quote: 0, indicators: 0 });
    expect(outcome.deferred).toEqual({ overview: 0, history: 0, quote: 5, indicators: 0 });
  });

  it('rotates what a short budget covers from one day to the next, so no symbol starves', async () => {
    const budgetOfTwo = () => recorders(settings({ watchlist, collectWhatFits: true }), [], 2);
    const first = budgetOfTwo();
    const second = budgetOfTwo();

    await collectUniverse(command({ datasets: ['history'], issuedAt: '2026-05-14T14:30:00Z' }), first.deps);
    await collectUniverse(command({ datasets: ['history'], issuedAt: '2026-05-15T14:30:00Z' }), second.deps);

    const symbols = (run: typeof first) => run.published[0]?.history.map((history) => history.symbol);
    expect(symbols(first)).toHaveLength(2);
    expect(symbols(second)).toHaveLength(2);
    expect(symbols(first)).not.toEqual(symbols(second));
  });

  it('publishes everything when the plan has no daily cap', async () => {
    const { deps } = recorders(settings({ watchlist, collectWhatFits: true, indicators: fetched }), [], null);

    const outcome = await collectUniverse(command({ datasets: [...all] }), deps);

    expect(outcome.published).toEqual({ overview: 5, history: 5, quote: 5, indicators: 25 });
  });
});

describe('collectUniverse: the no-data memory', () => {
  /** ZZZZ's quote and IBM's fetched SMA answered nothing; ZZZZ's overview did too, but its next try has come. */
  const remembered: NoDataEntry[] = [
    entry('ZZZZ', 'quote', '2026-05-18T20:00:00.000Z'),
    entry('IBM', `indicator:${indicatorId(fetched[0] as IndicatorConfig)}`, '2026-05-22T20:00:00.000Z'),
    entry('ZZZZ', 'overview', '2026-05-14T20:00:00.000Z'),
  ];
  const universe = () => settings({ watchlist: ['IBM', 'ZZZZ'], indicators: fetched.slice(0, 1) });
  const datasets: CollectUniverse['datasets'] = ['quote', 'overview', 'indicators'];

  it('does not fan out what the memory holds back at the command time, and says how many', async () => {
    const { deps, published } = recorders(universe(), [], 25, remembered);

    const outcome = await collectUniverse(command({ datasets }), deps);

    const plan = published[0] as FanOutPlan;
    expect(plan.quote.map((c) => c.symbol)).toEqual(['IBM']);
    expect(plan.overview.map((c) => c.symbol)).toEqual(['IBM', 'ZZZZ']);
    expect(plan.indicators.map((c) => c.symbol)).toEqual(['ZZZZ']);
    expect(outcome.heldBack).toBe(2);
  });

  it('fans out everything, carrying the override, when the command asks again', async () => {
    const { deps, published } = recorders(universe(), [], 25, remembered);

    const outcome = await collectUniverse(command({ datasets, askAgain: true }), deps);

    const plan = published[0] as FanOutPlan;
    expect(plan.quote.map((c) => [c.symbol, c.askAgain])).toEqual([
      ['IBM', true],
      ['ZZZZ', true],
    ]);
    expect(outcome.heldBack).toBe(0);
  });
});

function entry(symbol: string, dataset: string, nextTryAt: string): NoDataEntry {
  return {
    symbol,
    dataset,
    code: 'no-data',
    answer: '{}',
    since: '2026-05-12T15:00:00.000Z',
    lastAskedAt: '2026-05-12T15:00:00.000Z',
    occurrences: 1,
    nextTryAt,
  };
}
