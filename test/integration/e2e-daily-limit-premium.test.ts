/**
 * End to end, a daily-limit answer on a plan without a daily cap (issue 18): Horton is configured for a premium
 * plan, but the key behaves like a free one (AlphaVantage's own daily-limit body after a few calls). The
 * one-shot cycle (`npm start`'s, localstack/cycle.ts) must end promptly, without waiting for the idle timeout,
 * with the budget held as spent and the answer that ended the day, from which npm start prints the line that
 * names the daily limit and the contradiction.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { alphaVantageBudget, DEFAULT_WATCHLIST } from '../../model/config.ts';
import { dailyLimitContradiction } from '../../model/domain/daily-limit.ts';
import { type E2eEnvironment, type MeasuredCycle, measuredCycle, startE2e } from '../support/e2e-harness.ts';

const SIMULATOR_NOW = new Date('2026-12-04T15:00:00Z');
/** The key's real day: a free key that has three calls left today (bursts allowed, to reach the day's limit). */
const CALLS_LEFT = 3;

describe('e2e: a daily-limit answer on a premium plan', () => {
  let environment: E2eEnvironment | undefined;
  const env = () => environment as E2eEnvironment;
  let cycle: MeasuredCycle;

  beforeAll(async () => {
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'dailyprem',
      config: {
        universe: { watchlist: [...DEFAULT_WATCHLIST] },
        indicators: [{ function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' }],
        alphaVantage: { plan: 'premium75', requestsPerMinute: 75 },
      },
      simulator: {
        now: SIMULATOR_NOW,
        plan: 'free',
        quotas: { perSecond: 1_000, perMinute: 1_000, perDay: CALLS_LEFT },
      },
    });
    cycle = await measuredCycle(env(), SIMULATOR_NOW, 240_000);
  }, 300_000);

  afterAll(async () => {
    await environment?.stop();
  });

  it('ends because the day is spent, keeping the answer that ended it', () => {
    expect(cycle.requests.limitedByWindow.day).toBeGreaterThan(0);
    expect(cycle.result.ended).toBe('budget-spent');
    expect(cycle.result.spent?.dailyLimitAnswer).toMatch(/25 requests per day/);
  });

  it('spends nothing after the daily-limit answer', () => {
    // The calls served, and the daily-limit answers of calls already under way when the first one came.
    expect(cycle.requests.total - cycle.requests.limitedByWindow.day).toBe(CALLS_LEFT);
    expect(cycle.requests.limitedByWindow.day).toBeLessThanOrEqual(3);
  });

  it('gives the line that names the daily limit and the configured plan', () => {
    const line = dailyLimitContradiction(cycle.result.spent?.dailyLimitAnswer ?? '', {
      name: 'plan "premium75"',
      requestsPerDay: alphaVantageBudget(env().config).requestsPerDay,
    });
    expect(line).toMatch(
      /daily limit: the key behaves like a key capped at 25 requests a day \(the free plan\)/,
    );
  });
});
