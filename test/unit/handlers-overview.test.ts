/**
 * collectOverview (functions/overview/collect.ts) with the REAL AlphaVantage client against an in-process
 * simulator. Everything is fetched before anything is written: when the fourth call fails, nothing is written,
 * but a temporary failure stages the parts fetched so far and the retry of the command resumes from them.
 * The four calls are made only when the stored copy can be out of date.
 */
import { describe, expect, it } from 'vitest';
import { collectOverview } from '../../functions/overview/collect.ts';
import { PermanentError, TransientError } from '../../functions/shared/errors.ts';
import {
  type FundamentalItem,
  type StagedParts,
  storedFundamentalsOf,
} from '../../functions/shared/store/fundamentals.ts';
import type { CollectOverview } from '../../model/messages.ts';
import { useSimulatorClient } from '../support/simulator-client.ts';

const NOW = '2026-05-16T07:00:00Z';
const MAX_ATTEMPTS = 2;

const command = (symbol: string): CollectOverview => ({
  type: 'collect-overview',
  v: 1,
  commandId: `overview-${symbol}-0001`,
  correlationId: `overview-weekly@${NOW}`,
  issuedAt: NOW,
  symbol,
});

const av = useSimulatorClient({ now: NOW }, { maxAttempts: MAX_ATTEMPTS });

function recordingPut(result: 'written' | 'stale' = 'written') {
  const writes: Array<readonly FundamentalItem[]> = [];
  const staged = new Map<string, { commandId: string; parts: StagedParts }>();
  const clears: boolean[] = [];
  return {
    writes,
    staged,
    clears,
    put: async (items: readonly FundamentalItem[], options: { clearStaged: boolean }) => {
      writes.push(structuredClone(items));
      clears.push(options.clearStaged);
      if (options.clearStaged) staged.delete(items[0]?.symbol ?? '');
      return result;
    },
    loadStaged: async (symbol: string, commandId: string) => {
      const entry = staged.get(symbol);
      return entry?.commandId === commandId ? structuredClone(entry.parts) : {};
    },
    stage: async (symbol: string, commandId: string, parts: StagedParts) => {
      staged.set(symbol, { commandId, parts: structuredClone(parts) });
    },
  };
}

/** The freshness ports with nothing stored yet: every collection is due. */
const nothingStored = { stored: async () => ({}), maxAgeDays: 28 };

describe('collectOverview against the simulator', () => {
  it('writes the overview and the latest annual statements in one put', async () => {
    // Prepare
    const store = recordingPut();
    const { writes } = store;
    const income = await av.client.financialStatement('INCOME_STATEMENT', 'IBM');
    const newestAnnual = income.annualReports
      .map((report) => report.fiscalDateEnding)
      .sort()
      .at(-1);
    av.simulator.reset();

    // Act
    const outcome = await collectOverview(command('IBM'), {
      alphaVantage: av.client,
      ...store,
      ...nothingStored,
    });

    // Assess
    expect(writes).toHaveLength(1);
    const items = writes[0] ?? [];
    expect(items.map((item) => item.kind)).toEqual([
      'OVERVIEW',
      'INCOME_STATEMENT',
      'BALANCE_SHEET',
      'CASH_FLOW',
    ]);
    expect(items.every((item) => item.symbol === 'IBM' && item.collectedAt === NOW)).toBe(true);
    expect(items[0]?.data).toMatchObject({ symbol: 'IBM' });
    expect(items[1]?.fiscalDateEnding).toBe(newestAnnual);
    expect(outcome).toEqual({
      result: 'written',
      statements: { INCOME_STATEMENT: newestAnnual, BALANCE_SHEET: newestAnnual, CASH_FLOW: newestAnnual },
      resumed: 0,
    });
    expect(av.simulator.stats().requests.byFunction).toEqual({
      OVERVIEW: 1,
      INCOME_STATEMENT: 1,
      BALANCE_SHEET: 1,
      CASH_FLOW: 1,
    });
  });

  it('writes nothing when the fourth call fails transiently', async () => {
    // Prepare: CASH_FLOW answers 503 every time
    const store = recordingPut();
    const { writes } = store;
    av.simulator.setFaults([{ mode: 'http-error', functions: ['CASH_FLOW'] }]);

    // Act
    const run = collectOverview(command('MSFT'), { alphaVantage: av.client, ...store, ...nothingStored });

    // Assess
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof TransientError && error.code === 'http-status',
    );
    expect(writes).toEqual([]);
    expect(av.simulator.stats().requests.byFunction).toEqual({
      OVERVIEW: 1,
      INCOME_STATEMENT: 1,
      BALANCE_SHEET: 1,
      CASH_FLOW: MAX_ATTEMPTS,
    });
  });

  it('keeps the three calls made when the fourth fails transiently: the retry calls for CASH_FLOW only', async () => {
    // Prepare: CASH_FLOW answers 503 on every attempt of the first run
    const store = recordingPut();
    av.simulator.setFaults([{ mode: 'http-error', functions: ['CASH_FLOW'], count: MAX_ATTEMPTS }]);
    await expect(
      collectOverview(command('AMZN'), { alphaVantage: av.client, ...store, ...nothingStored }),
    ).rejects.toThrow();
    const callsBefore = { ...av.simulator.stats().requests.byFunction };

    // Act: the event source mapping redelivers the same command
    const outcome = await collectOverview(command('AMZN'), {
      alphaVantage: av.client,
      ...store,
      ...nothingStored,
    });

    // Assess: one more call (CASH_FLOW), all four written, the staged parts cleared with the write
    const callsAfter = av.simulator.stats().requests.byFunction;
    expect(callsAfter).toEqual({ ...callsBefore, CASH_FLOW: (callsBefore.CASH_FLOW ?? 0) + 1 });
    expect(outcome).toMatchObject({ resumed: 3 });
    expect(store.writes.at(-1)?.map((item) => item.kind)).toEqual([
      'OVERVIEW',
      'INCOME_STATEMENT',
      'BALANCE_SHEET',
      'CASH_FLOW',
    ]);
    expect(store.clears.at(-1)).toBe(true);
    expect(store.staged.size).toBe(0);
  });

  it('does not resume from parts another command staged', async () => {
    // Prepare
    const store = recordingPut();
    await store.stage('IBM', 'overview-IBM-older', { OVERVIEW: { Symbol: 'IBM', Name: 'stale' } });

    // Act
    await collectOverview(command('IBM'), { alphaVantage: av.client, ...store, ...nothingStored });

    // Assess
    expect(av.simulator.stats().requests.byFunction.OVERVIEW).toBe(1);
    expect(store.writes[0]?.[0]?.data).not.toMatchObject({ Name: 'stale' });
  });

  it('writes nothing when the fourth call fails permanently', async () => {
    // Prepare: CASH_FLOW answers "{}" (AlphaVantage's "no data")
    const store = recordingPut();
    const { writes } = store;
    av.simulator.setFaults([{ mode: 'empty-json', functions: ['CASH_FLOW'] }]);

    // Act
    const run = collectOverview(command('AAPL'), { alphaVantage: av.client, ...store, ...nothingStored });

    // Assess
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof PermanentError && error.code === 'no-data',
    );
    expect(writes).toEqual([]);
    // Dead-lettered, never resumed: nothing staged.
    expect(store.staged.size).toBe(0);
  });

  it('stops at the first function for a symbol without company data (an ETF), spending no more quota', async () => {
    // Prepare
    const store = recordingPut();
    const { writes } = store;

    // Act
    const run = collectOverview(command('SPY'), { alphaVantage: av.client, ...store, ...nothingStored });

    // Assess
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof PermanentError && error.code === 'no-data',
    );
    expect(writes).toEqual([]);
    // `{}` also comes transiently, so OVERVIEW is asked maxAttempts times before it is believed; no statements.
    expect(av.simulator.stats().requests.byFunction).toEqual({ OVERVIEW: MAX_ATTEMPTS });
  });

  it('reports a stale write as such', async () => {
    // Prepare: the store already holds a fresher collection
    const store = recordingPut('stale');

    // Act
    const outcome = await collectOverview(command('NVDA'), {
      alphaVantage: av.client,
      ...store,
      ...nothingStored,
    });

    // Assess
    expect(outcome.result).toBe('stale');
  });
});

describe('collectOverview calls only when a newer fiscal period can exist', () => {
  // NOW is Saturday 2026-05-16: the quarter ending 2026-03-31 is over, the one ending 2026-06-30 is not.
  it.each([
    ['nothing stored', {}, 4],
    ['a replay: the stored copy is this command', { collectedAt: NOW, latestPeriodEnd: '2026-03-31' }, 0],
    [
      'latest quarter stored, copy a week old',
      { collectedAt: '2026-05-09T11:00:00Z', latestPeriodEnd: '2026-03-31' },
      0,
    ],
    ['a newer quarter has ended', { collectedAt: '2026-05-09T11:00:00Z', latestPeriodEnd: '2025-12-31' }, 4],
    [
      'copy older than the maximum age',
      { collectedAt: '2026-04-11T11:00:00Z', latestPeriodEnd: '2026-03-31' },
      4,
    ],
  ])('%s -> %s calls', async (_case, stored, calls) => {
    const store = recordingPut();
    const { writes } = store;
    const before = av.simulator.stats().requests.total;

    const outcome = await collectOverview(command('IBM'), {
      alphaVantage: av.client,
      ...store,
      stored: async () => stored,
      maxAgeDays: 28,
    });

    expect(av.simulator.stats().requests.total - before).toBe(calls);
    expect(writes).toHaveLength(calls === 0 ? 0 : 1);
    expect(outcome.result).toBe(calls === 0 ? 'fresh' : 'written');
  });
});

describe('collectOverview remembers an ask that brought no newer fiscal period', () => {
  // The quarter ending 2026-03-31 is over, but its reports are filed weeks later: until then AlphaVantage (and
  // the simulator, for a symbol without recordings) still serves the quarter before.
  const SYMBOL = 'ZH';
  const APRIL_10 = '2026-04-10T11:00:00Z';

  /** A fundamentals store in memory, read back as the DynamoDB store reads it. */
  function memoryStore() {
    const items = new Map<string, FundamentalItem>();
    return {
      items,
      put: async (written: readonly FundamentalItem[]) => {
        for (const item of written) items.set(item.kind, structuredClone(item));
        return 'written' as const;
      },
      loadStaged: async () => ({}),
      stage: async () => {},
      stored: async () => storedFundamentalsOf([...items.values()]),
      maxAgeDays: 28,
    };
  }

  it('backs off 7 then 14 days instead of asking every day, and finds the new quarter when it is served', async () => {
    // Prepare
    const store = memoryStore();
    const callsByDay: Record<string, number> = {};

    // Act: a daily cycle from 10 April to 1 May
    for (let day = 0; day <= 21; day += 1) {
      const issuedAt = new Date(Date.parse(APRIL_10) + day * 86_400_000).toISOString();
      av.simulator.configure({ now: issuedAt });
      const before = av.simulator.stats().requests.total;
      await collectOverview(
        { ...command(SYMBOL), commandId: `overview-${SYMBOL}-${day}`, issuedAt },
        { alphaVantage: av.client, ...store },
      );
      const calls = av.simulator.stats().requests.total - before;
      if (calls > 0) callsByDay[issuedAt.slice(0, 10)] = calls;
    }

    // Assess: asked on the 10th (behind), the 17th (7 days), the 1st (14 days), when the new quarter is served
    expect(callsByDay).toEqual({ '2026-04-10': 4, '2026-04-17': 4, '2026-05-01': 4 });
    expect(await store.stored()).toEqual({
      collectedAt: '2026-05-01T11:00:00.000Z',
      latestPeriodEnd: '2026-03-31',
    });
  });

  it('records how many asks in a row brought nothing newer, and a replay changes nothing', async () => {
    // Prepare: asked on the 10th and the 17th
    const store = memoryStore();
    const at = (issuedAt: string, id: string) => ({ ...command(SYMBOL), commandId: id, issuedAt });
    av.simulator.configure({ now: APRIL_10 });
    await collectOverview(at(APRIL_10, 'first'), { alphaVantage: av.client, ...store });
    av.simulator.configure({ now: '2026-04-17T11:00:00Z' });
    await collectOverview(at('2026-04-17T11:00:00Z', 'second'), { alphaVantage: av.client, ...store });
    const stored = structuredClone([...store.items.values()]);
    const calls = av.simulator.stats().requests.total;

    // Act
    const replay = await collectOverview(at('2026-04-17T11:00:00Z', 'second'), {
      alphaVantage: av.client,
      ...store,
    });

    // Assess
    expect(await store.stored()).toEqual({
      collectedAt: '2026-04-17T11:00:00Z',
      latestPeriodEnd: '2025-12-31',
      unchangedAsks: 2,
    });
    expect(replay).toEqual({ result: 'fresh', reason: 'this command or a later one was already applied' });
    expect(av.simulator.stats().requests.total).toBe(calls);
    expect([...store.items.values()]).toEqual(stored);
  });
});
