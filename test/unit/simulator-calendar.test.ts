/**
 * The NYSE calendar of the simulator against real trading days: every date of real AlphaVantage daily
 * histories must be a trading day and every trading day in their range must be there. The excerpts of those
 * histories keep whole calendar years (test/fixtures/PROVENANCE.md), chosen for the unscheduled closures and the
 * holiday-rule edges they contain; each run of consecutive years is checked from its 1 January.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  easternDate,
  easterSunday,
  isTradingDay,
  latestTradingDayOnOrBefore,
  nyseHolidays,
  tradingDaysBetween,
} from '../../localstack/simulator/calendar.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

const fixturesDir = ALPHAVANTAGE_FIXTURES_DIR;

/** The real dates of a daily history, oldest first, read without the project's parser. */
function realDates(file: string): string[] {
  const text = readFileSync(join(fixturesDir, file), 'utf8');
  const dates = file.endsWith('.json')
    ? Object.keys(JSON.parse(text)['Time Series (Daily)'])
    : text
        .split(/\r?\n/)
        .slice(1)
        .filter(Boolean)
        .map((line) => line.slice(0, 10));
  return dates.sort();
}

/** Runs of dates in consecutive years (an excerpt has no rows between two runs). */
function yearRuns(dates: readonly string[]): string[][] {
  const runs: string[][] = [];
  for (const date of dates) {
    const run = runs.at(-1);
    const previous = run?.at(-1);
    if (
      run !== undefined &&
      previous !== undefined &&
      Number(date.slice(0, 4)) - Number(previous.slice(0, 4)) <= 1
    )
      run.push(date);
    else runs.push([date]);
  }
  return runs;
}

const HISTORIES: Array<[file: string, runs: string[]]> = [
  [
    'TIME_SERIES_DAILY-QCOM-2000-2017.csv',
    ['2001-01-02..2001-12-31', '2004-01-02..2004-12-31', '2007-01-03..2007-12-31'],
  ],
  ['TIME_SERIES_DAILY-IBM-full.json', ['2008-01-02..2008-12-31', '2024-01-02..2025-02-07']],
  [
    'TIME_SERIES_DAILY-MSFT-full.csv',
    ['2012-01-03..2012-12-31', '2018-01-02..2018-12-31', '2021-01-04..2022-12-30'],
  ],
];

describe('trading days vs real AlphaVantage histories', () => {
  it.each(HISTORIES)('%s: same set of dates in each run of years', (file, expectedRuns) => {
    // Prepare
    const runs = yearRuns(realDates(file));
    expect(runs.map((run) => `${run[0]}..${run.at(-1)}`)).toEqual(expectedRuns);
    for (const run of runs) {
      // Act
      const simulated = tradingDaysBetween(`${run[0]?.slice(0, 4)}-01-01`, run.at(-1) ?? '');
      // Assess
      expect(simulated, `${run[0]}..${run.at(-1)}`).toEqual(run);
    }
  });

  it('checks runs that hold every unscheduled closure since 2001 and the holiday-rule edges', () => {
    const checked = HISTORIES.flatMap(([, runs]) => runs.map((run) => run.split('..')));
    const inChecked = (day: string) =>
      checked.some(([first = '', last = '']) => `${first.slice(0, 4)}-01-01` <= day && day <= last);
    // The closures, then: New Year on a Saturday (2004-12-31, 2021-12-31 traded), the first Juneteenth closure.
    for (const day of [
      ...['2001-09-11', '2001-09-14', '2004-06-11', '2007-01-02', '2012-10-29', '2018-12-05', '2025-01-09'],
      ...['2004-12-31', '2021-12-31', '2022-06-20'],
    ])
      expect(inChecked(day), day).toBe(true);
  });
});

describe('NYSE holidays', () => {
  it('lists the published 2026 NYSE holidays', () => {
    expect(nyseHolidays(2026)).toEqual([
      '2026-01-01',
      '2026-01-19',
      '2026-02-16',
      '2026-04-03',
      '2026-05-25',
      '2026-06-19',
      '2026-07-03',
      '2026-09-07',
      '2026-11-26',
      '2026-12-25',
    ]);
  });

  it('does not close the Friday before a Saturday New Year (2021-12-31 traded), but does for other holidays', () => {
    expect(isTradingDay('2021-12-31')).toBe(true);
    expect(isTradingDay('2020-07-03')).toBe(false); // July 4th 2020 was a Saturday
    expect(isTradingDay('2022-12-26')).toBe(false); // Christmas 2022 was a Sunday
  });

  it('computes Easter (Good Friday closes the exchange)', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(isTradingDay('2025-04-18')).toBe(false);
  });

  it('knows unscheduled closures (Sept 2001, Hurricane Sandy, national days of mourning)', () => {
    for (const day of ['2001-09-11', '2001-09-14', '2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09']) {
      expect(isTradingDay(day), day).toBe(false);
    }
  });

  it('finds the latest trading day on or before a date', () => {
    expect(latestTradingDayOnOrBefore('2026-04-05')).toBe('2026-04-02'); // Sunday after Good Friday
    expect(latestTradingDayOnOrBefore('2026-05-15')).toBe('2026-05-15');
  });

  it('takes the trading date in New York, not UTC', () => {
    // 02:00 UTC on the 16th is still the evening of the 15th in New York (EDT, UTC-4).
    expect(easternDate(new Date('2026-05-16T02:00:00Z'))).toBe('2026-05-15');
    expect(easternDate(new Date('2026-01-16T04:59:00Z'))).toBe('2026-01-15'); // EST, UTC-5
    expect(easternDate(new Date('2026-01-16T05:00:00Z'))).toBe('2026-01-16');
  });
});
