/**
 * The NYSE calendar of the simulator against real trading days: every date of real AlphaVantage daily
 * histories (1999-2025) must be a trading day and every trading day in their range must be there.
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

describe('trading days vs real AlphaVantage histories', () => {
  it.each([
    ['TIME_SERIES_DAILY-IBM-full.json', 'json'],
    ['TIME_SERIES_DAILY-MSFT-full.csv', 'csv'],
    ['TIME_SERIES_DAILY-QCOM-2000-2017.csv', 'csv'],
  ])('%s: same set of dates', (file, format) => {
    // Prepare: the real dates, read without the project's parser.
    const text = readFileSync(join(fixturesDir, file), 'utf8');
    const realDates =
      format === 'json'
        ? Object.keys(JSON.parse(text)['Time Series (Daily)'])
        : text
            .split(/\r?\n/)
            .slice(1)
            .filter(Boolean)
            .map((line) => line.slice(0, 10));
    realDates.sort();
    // Act
    const simulated = tradingDaysBetween(realDates[0] ?? '', realDates.at(-1) ?? '');
    // Assess
    expect(simulated).toEqual(realDates);
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
