/**
 * collectOverview (functions/overview/collect.ts) with the REAL AlphaVantage client against an in-process
 * simulator. Everything is fetched before anything is written: when the fourth call fails, nothing is written.
 * The four calls are made only when the stored copy can be out of date.
 */
import { describe, expect, it } from 'vitest';
import { collectOverview } from '../../functions/overview/collect.ts';
import { PermanentError, TransientError } from '../../functions/shared/errors.ts';
import type { FundamentalItem } from '../../functions/shared/store/fundamentals.ts';
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
  return {
    writes,
    put: async (items: readonly FundamentalItem[]) => {
      writes.push(structuredClone(items));
      return result;
    },
  };
}

/** The freshness ports with nothing stored yet: every collection is due. */
const nothingStored = { stored: async () => ({}), maxAgeDays: 28 };

describe('collectOverview against the simulator', () => {
  it('writes the overview and the latest annual statements in one put', async () => {
    // Prepare
    const { writes, put } = recordingPut();
    const income = await av.client.financialStatement('INCOME_STATEMENT', 'IBM');
    const newestAnnual = income.annualReports
      .map((report) => report.fiscalDateEnding)
      .sort()
      .at(-1);
    av.simulator.reset();

    // Act
    const outcome = await collectOverview(command('IBM'), { alphaVantage: av.client, put, ...nothingStored });

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
    const { writes, put } = recordingPut();
    av.simulator.setFaults([{ mode: 'http-error', functions: ['CASH_FLOW'] }]);

    // Act
    const run = collectOverview(command('MSFT'), { alphaVantage: av.client, put, ...nothingStored });

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

  it('writes nothing when the fourth call fails permanently', async () => {
    // Prepare: CASH_FLOW answers "{}" (AlphaVantage's "no data")
    const { writes, put } = recordingPut();
    av.simulator.setFaults([{ mode: 'empty-json', functions: ['CASH_FLOW'] }]);

    // Act
    const run = collectOverview(command('AAPL'), { alphaVantage: av.client, put, ...nothingStored });

    // Assess
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof PermanentError && error.code === 'no-data',
    );
    expect(writes).toEqual([]);
  });

  it('stops at the first function for a symbol without company data (an ETF), spending no more quota', async () => {
    // Prepare
    const { writes, put } = recordingPut();

    // Act
    const run = collectOverview(command('SPY'), { alphaVantage: av.client, put, ...nothingStored });

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
    const { put } = recordingPut('stale');

    // Act
    const outcome = await collectOverview(command('NVDA'), {
      alphaVantage: av.client,
      put,
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
    const { writes, put } = recordingPut();
    const before = av.simulator.stats().requests.total;

    const outcome = await collectOverview(command('IBM'), {
      alphaVantage: av.client,
      put,
      stored: async () => stored,
      maxAgeDays: 28,
    });

    expect(av.simulator.stats().requests.total - before).toBe(calls);
    expect(writes).toHaveLength(calls === 0 ? 0 : 1);
    expect(outcome.result).toBe(calls === 0 ? 'fresh' : 'written');
  });
});
