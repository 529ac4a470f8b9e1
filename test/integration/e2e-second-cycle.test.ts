/**
 * End to end, a premium key's second cycle of the day on unchanged data (issue 18): the first one-shot cycle
 * (`npm start`'s, localstack/cycle.ts) collects the default watchlist, an unknown symbol and an ETF; the second,
 * the same day with the market closed, must cost almost nothing: no call for data that cannot be newer (also
 * for a delisted symbol whose newest bar is long past, ADR 0034), and none for answers without data, which are
 * remembered (the no-data table) instead of bought again.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_WATCHLIST } from '../../model/config.ts';
import { type E2eEnvironment, measuredCycle, startE2e } from '../support/e2e-harness.ts';

/**
 * A Saturday: the market is closed, so a stored quote cannot be newer the same day. In 2000, a year after the
 * simulator's first bar, so the premium plan's full history loads stay small.
 */
const SIMULATOR_NOW = new Date('2000-12-02T15:00:00Z');
/** In the simulator's default list of symbols it answers as unknown. */
const UNKNOWN = 'UNKNOWN';
/** An ETF: prices, but `{}` for its overview and statements, as on AlphaVantage. */
const ETF = 'SPY';
/**
 * Delisted on 1999-11-05: its newest bar is far older than the last close (as for a halted symbol or a lagging
 * source), and AlphaVantage has nothing newer.
 */
const DELISTED = 'ZH';
const WATCHLIST = [...DEFAULT_WATCHLIST, UNKNOWN, ETF, DELISTED];

describe('e2e: a premium key, a second cycle the same day on unchanged data', () => {
  let environment: E2eEnvironment | undefined;
  const env = () => environment as E2eEnvironment;
  let firstBySymbol: Record<string, number> = {};
  let secondTotal = -1;
  let secondBySymbol: Record<string, number> = {};
  let secondByFunction: Record<string, number> = {};
  let secondByOutputsize: Record<string, number> = {};

  beforeAll(async () => {
    environment = await startE2e({
      endpoints: inject('localStack'),
      name: 'second',
      config: {
        universe: { watchlist: WATCHLIST },
        indicators: [{ function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' }],
      },
      simulator: { now: SIMULATOR_NOW, plan: 'premium75' },
    });
    firstBySymbol = (await measuredCycle(env(), SIMULATOR_NOW, 400_000)).requests.bySymbol;
    const second = (await measuredCycle(env(), SIMULATOR_NOW, 400_000)).requests;
    secondTotal = second.total;
    secondBySymbol = second.bySymbol;
    secondByFunction = second.byFunction;
    secondByOutputsize = second.byOutputsize;
  }, 600_000);

  afterAll(async () => {
    await environment?.stop();
  });

  it('costs at most 3 calls', () => {
    expect(secondTotal).toBeGreaterThanOrEqual(0);
    expect(secondTotal).toBeLessThanOrEqual(3);
  });

  it('asks no history again, and never full: not even for the delisted symbol whose newest bar is old', () => {
    expect(secondByFunction.TIME_SERIES_DAILY ?? 0).toBe(0);
    expect(secondByOutputsize.full ?? 0).toBe(0);
    expect(firstBySymbol[DELISTED] ?? 0).toBeGreaterThan(0);
  });

  it('asks nothing again about the unknown symbol or the ETF', () => {
    expect(secondBySymbol[UNKNOWN] ?? 0).toBe(0);
    expect(secondBySymbol[ETF] ?? 0).toBe(0);
  });

  it('asks each answer without data at most twice across both cycles', () => {
    // UNKNOWN: quote {} (twice), history and indicators none (computed), overview {} (twice); SPY: overview {} twice.
    expect((firstBySymbol[UNKNOWN] ?? 0) + (secondBySymbol[UNKNOWN] ?? 0)).toBeLessThanOrEqual(5);
    // SPY: quote and history once each, its overview {} twice.
    expect((firstBySymbol[ETF] ?? 0) + (secondBySymbol[ETF] ?? 0)).toBeLessThanOrEqual(4);
  });
});
