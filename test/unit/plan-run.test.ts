/**
 * The one-shot run (`npm start`'s cycle) planned against the budget left today (model/plan.ts `planRun`): the
 * free plan's first run must fit its 25 calls, the watchlist's quotes first, then the stalest datasets, and say
 * what it defers to when.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../model/config.ts';
import { planRun, type RunItemFacts, runItemKey } from '../../model/plan.ts';

const NOW = new Date('2026-12-06T02:42:00Z');
const WATCHLIST = ['IBM', 'MSFT', 'AAPL', 'NVDA', 'AMZN', 'ZZZZ'];
const free = resolveConfig({ universe: { watchlist: WATCHLIST } });

describe('planRun', () => {
  it("keeps a first free-plan run within today's 25 calls and defers the rest to UTC midnight", () => {
    const plan = planRun({ config: free, symbols: WATCHLIST, remainingToday: 25, now: NOW });
    expect(plan.calls).toBeLessThanOrEqual(25);
    // 6 quotes + 6 history + 3 overviews (4 calls each) = 24; three overviews wait.
    expect(plan.calls).toBe(24);
    expect(plan.deferred.map((item) => `${item.dataset} ${item.symbol}`)).toEqual([
      'overview NVDA',
      'overview AMZN',
      'overview ZZZZ',
    ]);
    expect(plan.resetsAt).toBe('2026-12-07T00:00:00.000Z');
  });

  it("runs the watchlist's quotes first", () => {
    const plan = planRun({ config: free, symbols: WATCHLIST, remainingToday: 7, now: NOW });
    expect(plan.run.map((item) => item.dataset)).toEqual([...WATCHLIST.map(() => 'quote'), 'history']);
    expect(plan.deferred).toHaveLength(WATCHLIST.length * 2 - 1);
  });

  it('puts the stalest datasets before fresher ones, and lets what costs nothing run', () => {
    const facts = new Map<string, RunItemFacts>([
      [runItemKey('history', 'IBM'), { storedAt: Date.parse('2026-12-01T00:00:00Z') }],
      [runItemKey('overview', 'IBM'), { storedAt: Date.parse('2026-11-01T00:00:00Z') }],
      [runItemKey('quote', 'IBM'), { skip: 'the market has not traded since the stored quote' }],
    ]);
    const plan = planRun({ config: free, symbols: ['IBM'], remainingToday: 4, now: NOW, facts });
    expect(plan.run).toEqual([
      { dataset: 'quote', symbol: 'IBM', calls: 0 },
      { dataset: 'overview', symbol: 'IBM', calls: 4 },
    ]);
    expect(plan.deferred).toEqual([{ dataset: 'history', symbol: 'IBM', calls: 1 }]);
  });

  it('defers nothing without a daily cap', () => {
    const premium = resolveConfig({
      alphaVantage: { plan: 'premium75' },
      universe: { watchlist: WATCHLIST },
    });
    const plan = planRun({ config: premium, symbols: WATCHLIST, remainingToday: null, now: NOW });
    expect(plan.deferred).toEqual([]);
    expect(plan.calls).toBe(36);
  });
});
