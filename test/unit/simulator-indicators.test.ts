/**
 * The simulator's indicator maths against AlphaVantage itself: computed from the real MSFT closes of
 * TIME_SERIES_DAILY-MSFT-full-2017.json, every value must equal the real 2017 SMA/EMA/RSI/MACD/BBANDS
 * responses to their 4 decimals. Plus small hand-computed cases that need no fixtures.
 *
 * The excerpts (test/fixtures/PROVENANCE.md) keep two windows of the history: its first 60 bars
 * (2000-01-03..2000-03-28) with every AlphaVantage value of those dates, where each indicator starts, and its
 * last 330 bars (2016-07-18..2017-11-03) with AlphaVantage's newest 30 values, which AlphaVantage computed over
 * the whole history: the 300 bars before them are enough warm-up for the recursive indicators.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bbands, ema, type IndicatorValues, macd, rsi, sma } from '../../localstack/simulator/indicators.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

const fixturesDir = ALPHAVANTAGE_FIXTURES_DIR;
const readJson = (file: string) => JSON.parse(readFileSync(join(fixturesDir, file), 'utf8'));

/** First bar of the excerpt's last window. */
const RECENT_WINDOW_START = '2016-07-18';

describe('indicators equal real AlphaVantage values (MSFT daily 2017)', () => {
  const daily = readJson('TIME_SERIES_DAILY-MSFT-full-2017.json')['Time Series (Daily)'] as Record<
    string,
    Record<string, string>
  >;
  const allDates = Object.keys(daily).sort();
  const windows = {
    start: allDates.filter((date) => date < RECENT_WINDOW_START),
    recent: allDates.filter((date) => date >= RECENT_WINDOW_START),
  };
  const closes = (dates: readonly string[]) => dates.map((date) => Number(daily[date]?.['4. close']));

  it('reads the two windows of the excerpt', () => {
    expect(windows.start).toHaveLength(60);
    expect(windows.start[0]).toBe('2000-01-03'); // the first day of the whole history
    expect(windows.recent).toHaveLength(330);
    expect(windows.recent.at(-1)).toBe('2017-11-03');
  });

  /**
   * Compares every real row with ours, each window computed on its own; in the first window also checks that we
   * produce no value where AlphaVantage has none (there, a missing row is the indicator's start, not the cut).
   */
  function compare(
    file: string,
    fn: string,
    compute: (closes: number[]) => Record<string, IndicatorValues>,
  ): number {
    const real = readJson(file)[`Technical Analysis: ${fn}`] as Record<string, Record<string, string>>;
    let compared = 0;
    for (const [name, dates] of Object.entries(windows)) {
      const columns = compute(closes(dates));
      dates.forEach((date, index) => {
        const row = real[date];
        for (const [column, values] of Object.entries(columns)) {
          const ours = values[index];
          if (row === undefined) {
            if (name === 'start')
              expect(ours, `${date} ${column}: AlphaVantage has no value`).toBeUndefined();
            continue;
          }
          expect(ours, `${date} ${column}`).toBeDefined();
          expect(
            Math.abs((ours ?? Number.NaN) - Number(row[column])),
            `${date} ${column}`,
          ).toBeLessThanOrEqual(0.0000501);
          compared += 1;
        }
      });
    }
    return compared;
  }

  // Expected counts: the rows of each indicator excerpt (first window + 30), times its columns.
  it('SMA(10)', () =>
    expect(compare('SMA-MSFT-daily-2017.json', 'SMA', (values) => ({ SMA: sma(values, 10) }))).toBe(51 + 30));
  it('EMA(10)', () =>
    expect(compare('EMA-MSFT-daily-2017.json', 'EMA', (values) => ({ EMA: ema(values, 10) }))).toBe(51 + 30));
  it('RSI(10)', () =>
    expect(compare('RSI-MSFT-daily-2017.json', 'RSI', (values) => ({ RSI: rsi(values, 10) }))).toBe(50 + 30));
  it('MACD(12, 26, 9)', () => {
    expect(
      compare('MACD-MSFT-daily-2017.json', 'MACD', (values) => {
        const result = macd(values, 12, 26, 9);
        return { MACD: result.macd, MACD_Signal: result.signal, MACD_Hist: result.histogram };
      }),
    ).toBe(3 * (27 + 30));
  });
  it('BBANDS(5, 3, 3)', () => {
    expect(
      compare('BBANDS-MSFT-daily-2017.json', 'BBANDS', (values) => {
        const result = bbands(values, 5, 3, 3);
        return {
          'Real Lower Band': result.lower,
          'Real Middle Band': result.middle,
          'Real Upper Band': result.upper,
        };
      }),
    ).toBe(3 * (56 + 30));
  });
});

describe('indicator definitions on small series', () => {
  it('SMA averages the last n values, from index n-1', () => {
    expect(sma([1, 2, 3, 4, 5], 3)).toEqual([undefined, undefined, 2, 3, 4]);
  });

  it('EMA is seeded with the SMA and then smooths with 2/(n+1)', () => {
    const result = ema([2, 4, 6, 8], 3);
    expect(result.slice(0, 3)).toEqual([undefined, undefined, 4]);
    expect(result[3]).toBeCloseTo(4 + (8 - 4) * 0.5, 10);
  });

  it('RSI is 100 for a rising series and 0 for a falling one, from index n', () => {
    expect(rsi([1, 2, 3, 4, 5, 6], 3)).toEqual([undefined, undefined, undefined, 100, 100, 100]);
    expect(rsi([6, 5, 4, 3, 2, 1], 3)[5]).toBe(0);
  });

  it('BBANDS collapse onto the mean for a constant series', () => {
    const result = bbands([7, 7, 7, 7], 2, 2, 2);
    expect(result.upper[3]).toBe(7);
    expect(result.lower[3]).toBe(7);
    expect(result.middle[3]).toBe(7);
  });

  it('MACD starts at slow + signal - 2 and its histogram is MACD - signal', () => {
    const values = Array.from({ length: 60 }, (_, index) => 100 + Math.sin(index / 3) * 5 + index * 0.2);
    const result = macd(values, 12, 26, 9);
    expect(result.macd.findIndex((value) => value !== undefined)).toBe(33);
    expect(result.signal.findIndex((value) => value !== undefined)).toBe(33);
    for (let index = 33; index < 60; index += 1) {
      expect(result.histogram[index]).toBeCloseTo(
        (result.macd[index] ?? 0) - (result.signal[index] ?? 0),
        12,
      );
    }
  });
});
