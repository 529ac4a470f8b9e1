/**
 * End to end, the configuration modes the cycle test does not cover, on the real broker and the real AWS
 * emulator with only AlphaVantage simulated (in-process, clock pinned):
 * - listing mode: the universe comes from LISTING_STATUS, filtered to a few securities;
 * - the free AlphaVantage plan: history can only be asked for as `compact` (the latest 100 trading days);
 * - the backfill handler, invoked by hand as an operator would, including its rejections.
 *
 * One pipeline for the whole file (handlers read their settings once, at import), so the three parts share a
 * configuration that exercises all of them: listing mode AND the free plan. They run in order and each
 * accounts for what the previous ones stored.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLambdaContext, type LambdaHandler } from '../../localstack/runner/lambda-context.ts';
import { importHandler, localHandlerSettings } from '../../localstack/runner/pipeline.ts';
import {
  type DailyBar,
  dailySeriesFor,
  lastTradingDate,
  listingsAsOf,
  syntheticUniverse,
} from '../../localstack/simulator/index.ts';
import type { TableRole } from '../../model/config.ts';
import { expectedYearlyExtremes, itemsWithErrorBodies, readAllTables } from '../support/e2e-expectations.ts';
import {
  COMMAND_ROLES,
  type E2eEnvironment,
  scanItems,
  snapshotAllTables,
  startE2e,
} from '../support/e2e-harness.ts';

/**
 * A Friday after the close (17:00 in New York). In 2026 so the narrow filter below matches two listings; in
 * March so the latest 100 trading days straddle a year end (two years of extremes, not one).
 */
const SIMULATOR_NOW = new Date('2026-03-13T21:00:00Z');
/** The narrowest filter of the synthetic universe that still selects more than one security. */
const EXCHANGE = 'NYSE ARCA';
const ASSET_TYPE = 'Stock';
/** AlphaVantage's `compact` size. Written here, not imported: the test must not share the handler's number. */
const COMPACT_BARS = 100;
/** Stocks outside the listing universe, so the backfill's effect cannot be confused with the fan-out's. */
const BACKFILL_SYMBOLS = ['IBM', 'MSFT'];
const HISTORY_STATE_KEY = '#history';

type Item = Record<string, unknown>;
type TopicEnds = Record<string, string>;

/** The high watermark of every partition of `topics`, as `topic-partition -> offset`. */
async function topicEndOffsets(environment: E2eEnvironment, topics: readonly string[]): Promise<TopicEnds> {
  const admin = environment.kafka.admin();
  await admin.connect();
  try {
    const ends: TopicEnds = {};
    for (const topic of topics) {
      for (const partition of await admin.fetchTopicOffsets(topic))
        ends[`${topic}-${partition.partition}`] = partition.high;
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** Records added per topic between two `topicEndOffsets` readings. */
function recordsAdded(before: TopicEnds, after: TopicEnds): Record<string, number> {
  const added: Record<string, number> = {};
  for (const [key, end] of Object.entries(after)) {
    const topic = key.slice(0, key.lastIndexOf('-'));
    added[topic] = (added[topic] ?? 0) + Number(end) - Number(before[key] ?? 0);
  }
  return added;
}

/** A table snapshot with the fundamentals' collection time left out (every other attribute kept). */
function withoutCollectedAt(snapshot: Record<TableRole, string[]>): Record<TableRole, string[]> {
  const fundamentals = snapshot.fundamentals
    .map((item) => {
      const { collectedAt: _collectedAt, ...rest } = JSON.parse(item) as Item;
      return JSON.stringify(rest);
    })
    .sort();
  return { ...snapshot, fundamentals };
}

const byDate = (a: Item, b: Item) => ((a.date as string) < (b.date as string) ? -1 : 1);

describe('e2e: listing universe, free plan and backfill', () => {
  let environment: E2eEnvironment | undefined;
  /** The simulator's request log (apikey already redacted by the simulator). */
  const requestLog: Array<Record<string, unknown>> = [];
  let backfill: LambdaHandler | undefined;

  const env = (): E2eEnvironment => {
    if (!environment) throw new Error('the e2e environment did not start');
    return environment;
  };
  const invokeBackfill = (event: unknown): Promise<unknown> => {
    if (!backfill) throw new Error('the backfill handler was not loaded');
    const context: Context = createLambdaContext({
      functionName: `${env().config.prefix}-backfill`,
      timeoutSeconds: 60,
    });
    return backfill(event, context);
  };
  const allTopics = () => [
    ...COMMAND_ROLES.map((role) => env().config.topics[role].name),
    env().config.topics.deadLetter.name,
  ];

  /** Computed here from the simulator's own universe, not with the production selection code. */
  const asOf = lastTradingDate(SIMULATOR_NOW);
  const expectedListing = listingsAsOf(asOf, 'active')
    .filter((listing) => listing.status === 'Active' && listing.delistingDate === null)
    .filter((listing) => listing.exchange === EXCHANGE && listing.assetType === ASSET_TYPE)
    .sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  const universeSymbols = expectedListing.map((listing) => listing.symbol);

  beforeAll(async () => {
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'modes',
      config: {
        universe: { source: 'listing', exchanges: [EXCHANGE], assetTypes: [ASSET_TYPE] },
        alphaVantage: { plan: 'free' },
      },
      simulator: {
        now: SIMULATOR_NOW,
        // AlphaVantage's free plan (no `full`), with quotas far above this file's needs: only the premium
        // rule can refuse a request here.
        plan: 'free',
        quotas: { perSecond: 10_000, perMinute: 1_000_000, perDay: 1_000_000 },
        log: (line) => requestLog.push(line),
      },
    });
    // Loaded as the pipeline loads its handlers: with its settings from the same model function.
    backfill = await importHandler(
      'backfill',
      localHandlerSettings('backfill', environment.config, environment.brokers),
    );
  });

  afterAll(async () => {
    await environment?.stop();
  });

  it('the filter is narrow but not trivial: a few of the many active listings', () => {
    expect(syntheticUniverse().active.length).toBeGreaterThan(300);
    expect(universeSymbols.length).toBeGreaterThanOrEqual(2);
    expect(universeSymbols.length).toBeLessThanOrEqual(6);
  });

  it('listing mode: the universe job stores exactly the filtered active listings, the quote job quotes each', async () => {
    // Prepare
    const { pipeline, doc, tables, simulator } = env();
    const scheduler = pipeline.scheduler;
    if (!scheduler) throw new Error('the dispatcher is not part of this pipeline');

    // Act
    await scheduler.fireNow('universe');
    await pipeline.waitUntilIdle({ timeoutMs: 60_000 });
    await scheduler.fireNow('quote');
    await pipeline.waitUntilIdle({ timeoutMs: 60_000 });

    // Assess: the securities table is the filtered listing, row for row ...
    const securities = (await scanItems(doc, tables.securities)).sort((a, b) =>
      (a.symbol as string) < (b.symbol as string) ? -1 : 1,
    );
    expect(securities.map((item) => item.symbol)).toEqual(universeSymbols);
    expectedListing.forEach((listing, index) => {
      expect(securities[index], listing.symbol).toMatchObject({
        symbol: listing.symbol,
        name: listing.name.trim(),
        exchange: listing.exchange,
        assetType: listing.assetType,
        source: 'listing',
      });
    });
    // ... one LISTING_STATUS request, and one quote per listed security, the last simulated bar's close.
    expect(simulator.stats().requests.byFunction.LISTING_STATUS).toBe(1);
    const quotes = await scanItems(doc, tables.quotes);
    expect(quotes.map((item) => item.symbol).sort()).toEqual(universeSymbols);
    for (const symbol of universeSymbols) {
      const bars = dailySeriesFor(symbol, SIMULATOR_NOW);
      const last = bars.at(-1) as DailyBar;
      expect(last.date, symbol).toBe(asOf);
      const quote = quotes.find((item) => item.symbol === symbol) as Item;
      expect(quote.latest, symbol).toMatchObject({ symbol, price: last.close, latestTradingDay: last.date });
    }
  });

  it('free plan: the history job asks for compact and stores the latest 100 bars and their extremes', async () => {
    // Prepare
    const { pipeline, doc, tables, config } = env();
    const logStart = requestLog.length;

    // Act
    await pipeline.scheduler?.fireNow('history');
    await pipeline.waitUntilIdle({ timeoutMs: 60_000 });

    // Assess: one compact TIME_SERIES_DAILY request per security, none refused.
    const historyRequests = requestLog
      .slice(logStart)
      .filter((line) => line.function === 'TIME_SERIES_DAILY');
    expect(historyRequests.map((line) => line.symbol).sort()).toEqual(universeSymbols);
    for (const line of historyRequests) {
      const url = new URL(String(line.url), 'http://simulator');
      expect(url.searchParams.get('outputsize') ?? 'compact', String(line.symbol)).toBe('compact');
      expect(line.outcome, String(line.symbol)).toBe('data');
    }
    const [prices, extremes] = await Promise.all([
      scanItems(doc, tables.dailyPrices),
      scanItems(doc, tables.yearlyExtremes),
    ]);
    for (const symbol of universeSymbols) {
      const bars = dailySeriesFor(symbol, SIMULATOR_NOW);
      expect(bars.length, `${symbol}: more history exists than compact returns`).toBeGreaterThan(
        COMPACT_BARS,
      );
      const latest = bars.slice(-COMPACT_BARS);
      const stored = prices
        .filter((item) => item.symbol === symbol && item.date !== HISTORY_STATE_KEY)
        .sort(byDate);
      expect(stored.length, symbol).toBe(COMPACT_BARS);
      expect(stored, symbol).toEqual(latest.map((bar) => ({ symbol, ...bar })));
      // A compact start is not a full load: the next premium run would still fetch the whole history.
      expect(
        prices.find((item) => item.symbol === symbol && item.date === HISTORY_STATE_KEY),
        symbol,
      ).toMatchObject({ lastStoredDate: asOf, firstStoredDate: latest[0]?.date, fullLoadDone: false });

      const storedExtremes = extremes
        .filter((item) => item.symbol === symbol)
        .sort((a, b) => (a.year as number) - (b.year as number));
      const expected = expectedYearlyExtremes(symbol, latest);
      expect(expected.length, `${symbol}: the 100 bars span two years`).toBe(2);
      expect(storedExtremes, symbol).toEqual(expected);
      // The extremes are those of the 100 bars only, not of the longer history the simulator has.
      for (const year of expected) {
        const closes = latest.filter((bar) => bar.date.startsWith(String(year.year))).map((bar) => bar.close);
        expect(year.highClose).toBe(Math.max(...closes));
        expect(year.lowClose).toBe(Math.min(...closes));
      }
    }
    expect(new Set(prices.map((item) => item.symbol))).toEqual(new Set(universeSymbols));
    const deadLetterEnds = await topicEndOffsets(env(), [config.topics.deadLetter.name]);
    expect(
      Object.values(deadLetterEnds).every((offset) => offset === '0'),
      'no dead letters',
    ).toBe(true);
  });

  /** The issue time the first backfill used: re-sent with the request id to repeat it exactly. */
  let firstIssuedAt: string | undefined;

  it('backfill: publishes overview and quote commands for exactly the requested symbols', async () => {
    // Prepare
    const { pipeline, doc, tables, config } = env();

    // Act
    const result = await invokeBackfill({
      symbols: BACKFILL_SYMBOLS.map((symbol) => symbol.toLowerCase()),
      datasets: ['overview', 'quote'],
      requestId: 'r1',
    });
    firstIssuedAt = (result as { issuedAt?: string }).issuedAt;
    await pipeline.waitUntilIdle({ timeoutMs: 60_000 });

    // Assess
    expect(result).toMatchObject({
      requestId: 'r1',
      correlationId: 'backfill:r1',
      published: {
        [config.topics.securities.name]: 0,
        [config.topics.overview.name]: BACKFILL_SYMBOLS.length,
        [config.topics.history.name]: 0,
        [config.topics.quote.name]: BACKFILL_SYMBOLS.length,
        [config.topics.indicators.name]: 0,
      },
    });
    const contents = await readAllTables(doc, tables);
    expect(new Set(contents.fundamentals.map((item) => item.symbol))).toEqual(new Set(BACKFILL_SYMBOLS));
    for (const symbol of BACKFILL_SYMBOLS) {
      expect(
        contents.fundamentals
          .filter((item) => item.symbol === symbol)
          .map((item) => item.kind)
          .sort(),
        symbol,
      ).toEqual(['BALANCE_SHEET', 'CASH_FLOW', 'INCOME_STATEMENT', 'OVERVIEW']);
      const last = dailySeriesFor(symbol, SIMULATOR_NOW).at(-1) as DailyBar;
      const quote = contents.quotes.find((item) => item.symbol === symbol);
      expect(quote?.latest, symbol).toMatchObject({ symbol, price: last.close, latestTradingDay: asOf });
    }
    // The quotes of the listing universe are still there; nothing else was collected.
    expect(contents.quotes.map((item) => item.symbol).sort()).toEqual(
      [...universeSymbols, ...BACKFILL_SYMBOLS].sort(),
    );
    expect(contents.securities.map((item) => item.symbol).sort()).toEqual(universeSymbols);
    expect(new Set(contents.dailyPrices.map((item) => item.symbol))).toEqual(new Set(universeSymbols));
    expect(contents.indicators).toEqual([]);
    expect(itemsWithErrorBodies(contents)).toEqual([]);
  });

  /** The tables before and after the repeated backfill, for the strict comparison below. */
  let beforeRepeat: Record<TableRole, string[]> | undefined;
  let afterRepeat: Record<TableRole, string[]> | undefined;

  it('backfill: invoking again with the same request id re-publishes the commands and changes no data', async () => {
    // Prepare
    const current = env();
    const { topics } = current.config;
    beforeRepeat = await snapshotAllTables(current);
    const endsBefore = await topicEndOffsets(current, allTopics());

    // Act
    expect(firstIssuedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await invokeBackfill({
      symbols: BACKFILL_SYMBOLS,
      datasets: ['overview', 'quote'],
      requestId: 'r1',
      issuedAt: firstIssuedAt,
    });
    await current.pipeline.waitUntilIdle({ timeoutMs: 60_000 });
    afterRepeat = await snapshotAllTables(current);

    // Assess: the same commands were published again, one per symbol on each requested topic ...
    const published = recordsAdded(endsBefore, await topicEndOffsets(current, allTopics()));
    expect(published).toEqual({
      ...Object.fromEntries(allTopics().map((topic) => [topic, 0])),
      [topics.overview.name]: BACKFILL_SYMBOLS.length,
      [topics.quote.name]: BACKFILL_SYMBOLS.length,
    });
    // ... and absorbed: no quote observation was counted twice, no item changed (strictly, next test).
    expect(withoutCollectedAt(afterRepeat)).toEqual(withoutCollectedAt(beforeRepeat));
    expect(afterRepeat.fundamentals.length).toBe(BACKFILL_SYMBOLS.length * 4);
  });

  // Same request id and the issuedAt of the first response: the same ids AND the same content, so every write
  // is a no-op, collectedAt included.
  it('backfill: a repeated request id (with its issuedAt) leaves every table byte-identical, collectedAt included', () => {
    expect(afterRepeat).toBeDefined();
    expect(afterRepeat).toEqual(beforeRepeat);
  });

  it.each([
    {
      what: 'an unknown dataset',
      request: { symbols: ['IBM'], datasets: ['nope'] },
      message: /Invalid backfill request: datasets\.0: /,
    },
    {
      what: '"universe" combined with symbols',
      request: { symbols: ['IBM'], datasets: ['universe', 'quote'] },
      message: /"universe" refreshes the whole securities list and cannot be combined with "symbols"/,
    },
    {
      what: 'outputsize full on the free plan',
      request: { symbols: ['IBM'], datasets: ['history'], historyOutputsize: 'full' },
      message: /historyOutputsize "full" is a premium AlphaVantage feature .* free plan/,
    },
  ])('backfill: rejects $what with a clear message and publishes nothing', async ({ request, message }) => {
    // Prepare
    const current = env();
    const endsBefore = await topicEndOffsets(current, allTopics());

    // Act
    const invocation = invokeBackfill(request);

    // Assess
    await expect(invocation).rejects.toThrow(message);
    await expect(invocation).rejects.toMatchObject({ name: 'BackfillRequestError' });
    expect(await topicEndOffsets(current, allTopics())).toEqual(endsBefore);
  });
});
