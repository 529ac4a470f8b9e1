/**
 * collectQuote (functions/quote/collect.ts) with the REAL AlphaVantage client against an in-process simulator
 * and an in-memory store with real optimistic-concurrency semantics (a put succeeds only when the stored
 * version is the one the writer read). Re-delivery writes nothing; a concurrent writer is re-read and merged.
 */
import { describe, expect, it } from 'vitest';
import { collectQuote, type QuoteStore } from '../../functions/quote/collect.ts';
import { applyQuoteObservation } from '../../functions/shared/domain/rolling-average.ts';
import { PermanentError, TransientError } from '../../functions/shared/errors.ts';
import type { QuoteItem } from '../../functions/shared/store/quotes.ts';
import { dailySeriesFor } from '../../localstack/simulator/index.ts';
import type { CollectQuote } from '../../model/messages.ts';
import { useSimulatorClient } from '../support/simulator-client.ts';

const NOW = '2026-05-15T19:00:00Z';

/** One item per symbol; `putIfVersion` is a conditional write, as DynamoDB's. */
class MemoryQuoteStore implements QuoteStore {
  readonly items = new Map<string, QuoteItem>();
  gets = 0;
  puts = 0;
  rejectedPuts = 0;

  async get(symbol: string) {
    this.gets += 1;
    const item = this.items.get(symbol);
    return item ? structuredClone(item) : undefined;
  }
  async putIfVersion(item: QuoteItem, expectedVersion: number | undefined) {
    const current = this.items.get(item.symbol);
    if (current?.rolling.version !== expectedVersion) {
      this.rejectedPuts += 1;
      return false;
    }
    this.puts += 1;
    this.items.set(item.symbol, structuredClone(item));
    return true;
  }
}

const command = (symbol: string, commandId: string, issuedAt = NOW): CollectQuote => ({
  type: 'collect-quote',
  v: 1,
  commandId,
  correlationId: `quote-intraday@${issuedAt}`,
  issuedAt,
  symbol,
});

const av = useSimulatorClient({ now: NOW });

describe('collectQuote against the simulator', () => {
  it('stores the latest quote and starts the rolling window', async () => {
    // Prepare
    const store = new MemoryQuoteStore();
    const bars = dailySeriesFor('IBM', new Date(NOW));
    const latestBar = bars.at(-1);
    const previousBar = bars.at(-2);

    // Act
    const outcome = await collectQuote(command('IBM', 'quote-0001'), {
      alphaVantage: av.client,
      store,
      windowSize: 10,
    });

    // Assess
    expect(outcome).toEqual({
      result: 'stored',
      average: latestBar?.close,
      count: 1,
      version: 1,
      attempts: 1,
    });
    const item = store.items.get('IBM');
    expect(item?.latest).toMatchObject({
      symbol: 'IBM',
      price: latestBar?.close,
      previousClose: previousBar?.close,
      latestTradingDay: latestBar?.date,
      observedAt: NOW,
    });
    expect(item?.rolling.observations).toEqual([
      {
        id: 'quote-0001',
        observedAt: NOW,
        price: latestBar?.close,
        fingerprint: `${latestBar?.date}|${latestBar?.close}|${latestBar?.volume}`,
      },
    ]);
  });

  it('writes nothing when the same command is delivered again', async () => {
    // Prepare
    const store = new MemoryQuoteStore();
    const deps = { alphaVantage: av.client, store, windowSize: 10 };
    await collectQuote(command('MSFT', 'quote-0002'), deps);
    const before = structuredClone(store.items.get('MSFT'));

    // Act
    const redelivered = await collectQuote(command('MSFT', 'quote-0002'), deps);

    // Assess
    expect(redelivered).toEqual({ result: 'duplicate' });
    expect(store.puts).toBe(1);
    expect(store.items.get('MSFT')).toEqual(before);
  });

  it('keeps the N newest observations and averages them', async () => {
    // Prepare: five firings on five trading days (11:00 ET), each quoting that day's price; window of 3
    const store = new MemoryQuoteStore();
    const deps = { alphaVantage: av.client, store, windowSize: 3 };
    const days = ['2026-05-11', '2026-05-12', '2026-05-13', '2026-05-14', '2026-05-15'];
    const times = days.map((day) => `${day}T15:00:00Z`);

    // Act
    for (const [index, issuedAt] of times.entries()) {
      av.simulator.configure({ now: issuedAt });
      await collectQuote(command('AAPL', `quote-1${index}`, issuedAt), deps);
    }

    // Assess
    const rolling = store.items.get('AAPL')?.rolling;
    expect(rolling?.count).toBe(3);
    expect(rolling?.observations.map((o) => o.observedAt)).toEqual(times.slice(-3));
    const prices = times.slice(-3).map((time) => dailySeriesFor('AAPL', new Date(time)).at(-1)?.close ?? 0);
    expect(new Set(prices).size).toBe(3);
    // The simulator quotes prices with 4 decimals, the series keeps more.
    expect(rolling?.average).toBeCloseTo(prices.reduce((sum, price) => sum + price, 0) / 3, 3);
    expect(rolling?.version).toBe(5);
  });

  it('does not count an identical quote twice: same trading day, price and volume', async () => {
    // Prepare: the simulator quotes the same thing all day; three firings in the session
    const store = new MemoryQuoteStore();
    const deps = { alphaVantage: av.client, store, windowSize: 10 };
    const times = ['14:00', '14:30', '15:00'].map((time) => `2026-05-15T${time}:00Z`);

    // Act
    const outcomes = [];
    for (const [index, issuedAt] of times.entries()) {
      outcomes.push(await collectQuote(command('IBM', `quote-same-${index}`, issuedAt), deps));
    }

    // Assess: one observation, the latest of the identical ones
    expect(store.items.get('IBM')?.rolling.count).toBe(1);
    expect(store.items.get('IBM')?.rolling.observations.map((o) => o.observedAt)).toEqual([times[2]]);
    expect(outcomes.at(-1)).toMatchObject({ result: 'stored', count: 1 });
  });

  it('keeps the newest observation as the latest quote when an older command arrives late', async () => {
    // Prepare
    const store = new MemoryQuoteStore();
    const deps = { alphaVantage: av.client, store, windowSize: 10 };
    av.simulator.configure({ now: '2026-05-15T15:00:00Z' });
    await collectQuote(command('NVDA', 'quote-new', '2026-05-15T15:00:00Z'), deps);

    // Act
    av.simulator.configure({ now: '2026-05-14T15:00:00Z' });
    const late = await collectQuote(command('NVDA', 'quote-old', '2026-05-14T15:00:00Z'), deps);

    // Assess
    expect(late).toMatchObject({ result: 'stored', count: 2 });
    expect(store.items.get('NVDA')?.latest.observedAt).toBe('2026-05-15T15:00:00Z');
  });

  it('re-reads and re-applies when a concurrent writer got there first', async () => {
    // Prepare: right after our first read, another invocation stores its own observation
    const store = new MemoryQuoteStore();
    const racing: QuoteStore = {
      get: async (symbol) => {
        const snapshot = await store.get(symbol);
        if (store.gets === 1) {
          const rival = applyQuoteObservation(
            undefined,
            { id: 'quote-rival', observedAt: '2026-05-15T18:45:00Z', price: 100 },
            10,
          );
          store.items.set(symbol, {
            symbol,
            latest: { ...(await referenceLatest(symbol)), observedAt: '2026-05-15T18:45:00Z' },
            rolling: rival.state,
          });
        }
        return snapshot;
      },
      putIfVersion: (item, expected) => store.putIfVersion(item, expected),
    };

    // Act
    const outcome = await collectQuote(command('AMZN', 'quote-ours'), {
      alphaVantage: av.client,
      store: racing,
      windowSize: 10,
    });

    // Assess
    expect(outcome).toMatchObject({ result: 'stored', attempts: 2, count: 2, version: 2 });
    expect(store.rejectedPuts).toBe(1);
    expect(store.items.get('AMZN')?.rolling.observations.map((o) => o.id)).toEqual([
      'quote-rival',
      'quote-ours',
    ]);
    expect(store.items.get('AMZN')?.latest.observedAt).toBe(NOW);
  });

  it('gives up with a TransientError after too many conflicts in a row, so the record is retried later', async () => {
    // Prepare: every conditional write loses
    let gets = 0;
    const alwaysConflicting: QuoteStore = {
      get: async () => {
        gets += 1;
        return undefined;
      },
      putIfVersion: async () => false,
    };

    // Act
    const run = collectQuote(command('IBM', 'quote-0003'), {
      alphaVantage: av.client,
      store: alwaysConflicting,
      windowSize: 10,
      maxConflicts: 4,
    });

    // Assess
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof TransientError && error.code === 'write-conflict',
    );
    expect(gets).toBe(4);
    // The quote was fetched once: conflicts retry the write, not the API call.
    expect(av.simulator.stats().requests.byFunction).toEqual({ GLOBAL_QUOTE: 1 });
  });

  it('fails permanently without writing when AlphaVantage has no quote for the symbol', async () => {
    // Prepare
    const store = new MemoryQuoteStore();

    // Act
    const run = collectQuote(command('INVALID', 'quote-0004'), {
      alphaVantage: av.client,
      store,
      windowSize: 10,
    });

    // Assess
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof PermanentError && error.code === 'no-data',
    );
    // One read: the freshness check before the call.
    expect(store.gets).toBe(1);
    expect(store.items.size).toBe(0);
  });
});

/** A well-formed latest quote for the rival writer in the race test. */
async function referenceLatest(symbol: string): Promise<QuoteItem['latest']> {
  const quote = await av.client.globalQuote(symbol);
  return { ...quote, symbol, observedAt: NOW };
}

describe('collectQuote calls only while the market can move the quote', () => {
  const observedAt = (time: string) => ({
    symbol: 'MSFT',
    latest: { observedAt: time } as QuoteItem['latest'],
    rolling: applyQuoteObservation(undefined, { id: 'earlier', observedAt: time, price: 1 }, 10).state,
  });

  it.each([
    ['Friday 15:00 ET, in the session', '2026-05-15T19:00:00Z', '2026-05-15T18:00:00Z', 1],
    [
      'Friday 17:00 ET, stored quote from 15:30 ET: the closing quote',
      '2026-05-15T21:00:00Z',
      '2026-05-15T19:30:00Z',
      1,
    ],
    ['Friday 17:30 ET, closing quote stored at 17:00 ET', '2026-05-15T21:30:00Z', '2026-05-15T21:00:00Z', 0],
    ['Saturday, closing quote stored', '2026-05-16T15:00:00Z', '2026-05-15T21:00:00Z', 0],
    [
      'Memorial Day (NYSE holiday) 11:00 ET, closing quote of Friday stored',
      '2026-05-25T15:00:00Z',
      '2026-05-22T21:00:00Z',
      0,
    ],
    ['Tuesday after Memorial Day, 11:00 ET', '2026-05-26T15:00:00Z', '2026-05-22T21:00:00Z', 1],
  ])('%s -> %s call(s)', async (_case, issuedAt, storedAt, calls) => {
    const store = new MemoryQuoteStore();
    store.items.set('MSFT', observedAt(storedAt));
    av.simulator.configure({ now: issuedAt });

    const outcome = await collectQuote(command('MSFT', 'quote-fresh', issuedAt), {
      alphaVantage: av.client,
      store,
      windowSize: 10,
    });

    expect(av.simulator.stats().requests.total).toBe(calls);
    expect(outcome.result).toBe(calls === 1 ? 'stored' : 'fresh');
  });

  it('repairs a stored quote observed in the future: stale, replaced as latest, dropped from the window', async () => {
    // Prepare: a Saturday; stored, a closing quote and one a producer dated a year ahead
    const saturday = '2026-05-16T15:00:00Z';
    const future = '2027-05-15T21:00:00Z';
    const store = new MemoryQuoteStore();
    const closing = applyQuoteObservation(
      undefined,
      { id: 'closing', observedAt: '2026-05-15T21:00:00Z', price: 1 },
      10,
    ).state;
    store.items.set('MSFT', {
      symbol: 'MSFT',
      latest: { observedAt: future, price: 999 } as QuoteItem['latest'],
      rolling: applyQuoteObservation(closing, { id: 'from-the-future', observedAt: future, price: 999 }, 10)
        .state,
    });
    av.simulator.configure({ now: saturday });

    // Act
    const outcome = await collectQuote(command('MSFT', 'quote-after-future', saturday), {
      alphaVantage: av.client,
      store,
      windowSize: 10,
      now: () => new Date(saturday),
    });

    // Assess
    expect(av.simulator.stats().requests.total).toBe(1);
    expect(outcome.result).toBe('stored');
    const stored = store.items.get('MSFT');
    expect(stored?.latest.observedAt).toBe(saturday);
    expect(stored?.rolling.observations.map((entry) => entry.id)).toEqual(['closing', 'quote-after-future']);
  });

  it('costs no call to replay an applied command', async () => {
    const store = new MemoryQuoteStore();
    const deps = { alphaVantage: av.client, store, windowSize: 10 };
    await collectQuote(command('AMZN', 'quote-replayed'), deps);

    const replay = await collectQuote(command('AMZN', 'quote-replayed'), deps);

    expect(replay).toEqual({ result: 'duplicate' });
    expect(av.simulator.stats().requests.total).toBe(1);
  });
});
