/**
 * Parses EVERY file in test/fixtures/alphavantage (real AlphaVantage responses, most of them trimmed excerpts)
 * and checks the result against facts recorded independently in test/fixtures/PROVENANCE.md (row counts, date
 * ranges of each excerpt; known quirks). A fixture file without an expectation here fails the suite, so new
 * captures get a test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AlphaVantageFunction,
  classifyResponse,
  interpretResponse,
  parseBalanceSheet,
  parseGlobalQuote,
  parseIncomeStatement,
  parseIndicator,
  parseListingStatus,
  parseOverview,
  parseTimeSeriesDaily,
} from '../../functions/shared/alphavantage/index.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

const fixturesDir = ALPHAVANTAGE_FIXTURES_DIR;
const read = (file: string) => readFileSync(join(fixturesDir, file), 'utf8');

type Expectation =
  | { fn: AlphaVantageFunction; rows: number; first: string; last: string }
  | { fn: AlphaVantageFunction; kind: 'error' | 'limit' | 'premium' };

/** Rows and date ranges as PROVENANCE.md's table states them ("first" = oldest, "last" = newest). */
const EXPECTED: Record<string, Expectation> = {
  'TIME_SERIES_DAILY-IBM-full.json': {
    fn: 'TIME_SERIES_DAILY',
    rows: 530,
    first: '2008-01-02',
    last: '2025-02-07',
  },
  'TIME_SERIES_DAILY-MSFT-full-2017.json': {
    fn: 'TIME_SERIES_DAILY',
    rows: 390,
    first: '2000-01-03',
    last: '2017-11-03',
  },
  'TIME_SERIES_DAILY-MSFT-compact-2018.json': {
    fn: 'TIME_SERIES_DAILY',
    rows: 100,
    first: '2018-01-17',
    last: '2018-06-08',
  },
  'TIME_SERIES_DAILY-MSFT-compact-2019.json': {
    fn: 'TIME_SERIES_DAILY',
    rows: 100,
    first: '2018-08-28',
    last: '2019-01-22',
  },
  'TIME_SERIES_DAILY-IBM-compact-2024.json': {
    fn: 'TIME_SERIES_DAILY',
    rows: 100,
    first: '2024-04-15',
    last: '2024-09-05',
  },
  'TIME_SERIES_DAILY-MSFT-full.csv': {
    fn: 'TIME_SERIES_DAILY',
    rows: 1004,
    first: '2012-01-03',
    last: '2022-12-30',
  },
  'TIME_SERIES_DAILY-IBM-full-2019.csv': {
    fn: 'TIME_SERIES_DAILY',
    rows: 713,
    first: '2017-01-03',
    last: '2019-10-31',
  },
  'TIME_SERIES_DAILY-AAPL-full-2019.csv': {
    fn: 'TIME_SERIES_DAILY',
    rows: 713,
    first: '2017-01-03',
    last: '2019-10-31',
  },
  'TIME_SERIES_DAILY-DOW-short-history-2019.csv': {
    fn: 'TIME_SERIES_DAILY',
    rows: 158,
    first: '2019-03-20',
    last: '2019-10-31',
  },
  'TIME_SERIES_DAILY-QCOM-2000-2017.csv': {
    fn: 'TIME_SERIES_DAILY',
    rows: 751,
    first: '2001-01-02',
    last: '2007-12-31',
  },
  'TIME_SERIES_DAILY-IBM-compact-2026.csv': {
    fn: 'TIME_SERIES_DAILY',
    rows: 100,
    first: '2025-12-22',
    last: '2026-05-15',
  },
  'TIME_SERIES_DAILY_ADJUSTED-AAPL-full-2021.json': {
    fn: 'TIME_SERIES_DAILY_ADJUSTED',
    rows: 100,
    first: '2020-11-23',
    last: '2021-04-19',
  },
  'TIME_SERIES_DAILY_ADJUSTED-MSFT-compact-2018.json': {
    fn: 'TIME_SERIES_DAILY_ADJUSTED',
    rows: 100,
    first: '2018-03-29',
    last: '2018-08-20',
  },
  'TIME_SERIES_DAILY_ADJUSTED-IBM-compact-2026.csv': {
    fn: 'TIME_SERIES_DAILY_ADJUSTED',
    rows: 100,
    first: '2025-12-22',
    last: '2026-05-15',
  },
  'GLOBAL_QUOTE-MSFT-2018.json': { fn: 'GLOBAL_QUOTE', rows: 1, first: '2018-10-05', last: '2018-10-05' },
  'GLOBAL_QUOTE-IBM-2022.json': { fn: 'GLOBAL_QUOTE', rows: 1, first: '2022-06-09', last: '2022-06-09' },
  'GLOBAL_QUOTE-IBM-2026.csv': { fn: 'GLOBAL_QUOTE', rows: 1, first: '2026-05-15', last: '2026-05-15' },
  'OVERVIEW-IBM-2026.json': { fn: 'OVERVIEW', rows: 1, first: '2026-03-31', last: '2026-03-31' },
  'OVERVIEW-IBM-2022.json': { fn: 'OVERVIEW', rows: 1, first: '2022-03-31', last: '2022-03-31' },
  'OVERVIEW-IBM-2020-legacy.json': { fn: 'OVERVIEW', rows: 1, first: '2020-06-30', last: '2020-06-30' },
  // Statements: rows = quarterly reports, range = quarterly fiscal dates.
  'INCOME_STATEMENT-IBM-2026.json': {
    fn: 'INCOME_STATEMENT',
    rows: 4,
    first: '2025-06-30',
    last: '2026-03-31',
  },
  'INCOME_STATEMENT-IBM-2022.json': {
    fn: 'INCOME_STATEMENT',
    rows: 4,
    first: '2021-06-30',
    last: '2022-03-31',
  },
  'INCOME_STATEMENT-IBM-2020-legacy-schema.json': {
    fn: 'INCOME_STATEMENT',
    rows: 4,
    first: '2019-09-30',
    last: '2020-06-30',
  },
  'BALANCE_SHEET-IBM-2026.json': { fn: 'BALANCE_SHEET', rows: 4, first: '2025-06-30', last: '2026-03-31' },
  'BALANCE_SHEET-IBM-2022.json': { fn: 'BALANCE_SHEET', rows: 4, first: '2021-06-30', last: '2022-03-31' },
  'CASH_FLOW-IBM-2026.json': { fn: 'CASH_FLOW', rows: 4, first: '2025-06-30', last: '2026-03-31' },
  'CASH_FLOW-IBM-2022.json': { fn: 'CASH_FLOW', rows: 4, first: '2021-06-30', last: '2022-03-31' },
  // Listings: range = ipoDate range.
  'LISTING_STATUS-active-2026.csv': {
    fn: 'LISTING_STATUS',
    rows: 13411,
    first: '1962-01-02',
    last: '2026-05-15',
  },
  'SMA-MSFT-daily-2017.json': { fn: 'SMA', rows: 81, first: '2000-01-14', last: '2017-11-03' },
  'EMA-MSFT-daily-2017.json': { fn: 'EMA', rows: 81, first: '2000-01-14', last: '2017-11-03' },
  'RSI-MSFT-daily-2017.json': { fn: 'RSI', rows: 80, first: '2000-01-18', last: '2017-11-03' },
  'MACD-MSFT-daily-2017.json': { fn: 'MACD', rows: 57, first: '2000-02-18', last: '2017-11-03' },
  'BBANDS-MSFT-daily-2017.json': { fn: 'BBANDS', rows: 86, first: '2000-01-07', last: '2017-11-03' },
  'SMA-IBM-weekly-2022.json': { fn: 'SMA', rows: 52, first: '2021-06-18', last: '2022-06-09' },
  'EMA-IBM-weekly-2022.json': { fn: 'EMA', rows: 52, first: '2021-06-25', last: '2022-06-14' },
  'SMA-MSFT-weekly-2018.json': { fn: 'SMA', rows: 52, first: '2017-09-08', last: '2018-08-31' },
  'RSI-MSFT-weekly-2018.json': { fn: 'RSI', rows: 52, first: '2017-09-08', last: '2018-08-31' },
  'SMA-IBM-weekly-2026.csv': { fn: 'SMA', rows: 52, first: '2025-05-23', last: '2026-05-15' },
  'EMA-IBM-weekly-2026.csv': { fn: 'EMA', rows: 52, first: '2025-05-23', last: '2026-05-15' },
  'RSI-IBM-weekly-2026.csv': { fn: 'RSI', rows: 52, first: '2025-05-23', last: '2026-05-15' },
  'MACD-IBM-daily-2026.csv': { fn: 'MACD', rows: 52, first: '2026-03-04', last: '2026-05-15' },
  'BBANDS-IBM-weekly-2026.csv': { fn: 'BBANDS', rows: 52, first: '2025-05-23', last: '2026-05-15' },
  'error-ErrorMessage-invalid-call-BOP-demo-2025.json': { fn: 'TIME_SERIES_DAILY', kind: 'error' },
  'error-ErrorMessage-invalid-call-CMO-2018.json': { fn: 'TIME_SERIES_DAILY', kind: 'error' },
  'error-Information-call-volume-2018.json': { fn: 'TIME_SERIES_DAILY', kind: 'limit' },
  'error-Note-call-frequency-2018.json': { fn: 'TIME_SERIES_DAILY', kind: 'limit' },
  'premium-sample-REALTIME_BULK_QUOTES-2026.json': { fn: 'GLOBAL_QUOTE', kind: 'premium' },
};

/** Dates of the parsed data (oldest..newest), whatever the function. */
function datesOf(fn: AlphaVantageFunction, data: unknown): string[] {
  const value = data as Record<string, unknown>;
  switch (fn) {
    case 'TIME_SERIES_DAILY':
    case 'TIME_SERIES_DAILY_ADJUSTED':
      return (value.bars as { date: string }[]).map((bar) => bar.date);
    case 'GLOBAL_QUOTE':
      return [value.latestTradingDay as string];
    case 'OVERVIEW':
      return [value.latestQuarter as string];
    case 'INCOME_STATEMENT':
    case 'BALANCE_SHEET':
    case 'CASH_FLOW':
      return (value.quarterlyReports as { fiscalDateEnding: string }[]).map(
        (report) => report.fiscalDateEnding,
      );
    case 'LISTING_STATUS':
      return (data as { ipoDate: string }[]).map((listing) => listing.ipoDate);
    default:
      return (value.points as { date: string }[]).map((point) => point.date);
  }
}

describe('every real AlphaVantage fixture parses', () => {
  const files = fixturesDir === undefined ? [] : readdirSync(fixturesDir).sort();

  it('has an expectation for every fixture file', () => {
    // Assess: a new capture without an expectation must not go untested.
    expect(files.filter((file) => !(file in EXPECTED))).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(47);
  });

  it.each(files.filter((file) => file in EXPECTED))('%s', (file) => {
    // Prepare
    const expectation = EXPECTED[file] as Expectation;
    const body = read(file);
    // Act
    const result = interpretResponse(expectation.fn, body);
    // Assess
    if ('kind' in expectation) {
      expect(result.kind).toBe(expectation.kind);
      return;
    }
    if (result.kind !== 'data') throw new Error(`${file}: ${result.kind}: ${result.message}`);
    const dates = datesOf(expectation.fn, result.data);
    const sorted = [...dates].sort();
    expect(dates.length).toBe(expectation.rows);
    expect(sorted[0]).toBe(expectation.first);
    expect(sorted.at(-1)).toBe(expectation.last);
    // Series come out newest first whatever the file order.
    if (expectation.fn !== 'LISTING_STATUS') expect(dates).toEqual([...sorted].reverse());
  });
});

describe('quirks of the real data', () => {
  it('keeps days whose range does not contain open/close (3 in IBM 2019, 1 in AAPL 2019): facts, not parse errors', () => {
    const countOdd = (file: string) =>
      parseTimeSeriesDaily(read(file)).bars.filter(
        (bar) => bar.low > Math.min(bar.open, bar.close) || bar.high < Math.max(bar.open, bar.close),
      ).length;
    // In the excerpts (2017-01-03..2019-10-31); the whole 2019 files have 27 and 15 such days.
    expect(countOdd('TIME_SERIES_DAILY-IBM-full-2019.csv')).toBe(3);
    expect(countOdd('TIME_SERIES_DAILY-AAPL-full-2019.csv')).toBe(1);
    const june18 = parseTimeSeriesDaily(read('TIME_SERIES_DAILY-IBM-full-2019.csv')).bars.find(
      (bar) => bar.date === '2019-06-18',
    );
    expect(june18).toMatchObject({ open: 135.2, low: 135.2084 });
  });

  it('parses CRLF and LF versions of a CSV to the same data', () => {
    const crlf = read('TIME_SERIES_DAILY-DOW-short-history-2019.csv');
    expect(crlf).toContain('\r\n');
    expect(parseTimeSeriesDaily(crlf.replace(/\r\n/g, '\n'))).toEqual(parseTimeSeriesDaily(crlf));
  });

  it('turns padded price strings and integer volume strings into numbers', () => {
    const series = parseTimeSeriesDaily(read('TIME_SERIES_DAILY-IBM-compact-2024.json'));
    expect(series.bars[0]).toEqual({
      date: '2024-09-05',
      open: 204.08,
      high: 205.95,
      low: 200.96,
      close: 202.59,
      volume: 3205828,
    });
    expect(series.meta).toMatchObject({
      symbol: 'IBM',
      outputSize: 'Compact',
      timeZone: 'US/Eastern',
      lastRefreshedDate: '2024-09-05',
    });
  });

  it('reads a "Last Refreshed" with a time of day', () => {
    const series = parseTimeSeriesDaily(read('TIME_SERIES_DAILY-MSFT-compact-2019.json'));
    expect(series.meta?.lastRefreshed).toBe('2019-01-22 12:41:14');
    expect(series.meta?.lastRefreshedDate).toBe('2019-01-22');
  });

  it('agrees across vintages where PROVENANCE says they agree (IBM compact 2024 vs full 2025: 100/100 OHLC)', () => {
    const compact = parseTimeSeriesDaily(read('TIME_SERIES_DAILY-IBM-compact-2024.json')).bars;
    const full = new Map(
      parseTimeSeriesDaily(read('TIME_SERIES_DAILY-IBM-full.json')).bars.map((bar) => [bar.date, bar]),
    );
    const same = compact.filter((bar) => {
      const other = full.get(bar.date);
      return (
        other &&
        other.open === bar.open &&
        other.high === bar.high &&
        other.low === bar.low &&
        other.close === bar.close
      );
    });
    expect(same.length).toBe(100);
  });

  it('normalises a series key with a time (SMA MSFT weekly 2018) to its date and keeps the raw key', () => {
    const sma = parseIndicator('SMA', read('SMA-MSFT-weekly-2018.json'));
    expect(sma.points[0]).toEqual({ date: '2018-08-31', timestamp: '2018-08-31 12:38:59', value: 105.2775 });
    expect(sma.points[1]).toEqual({ date: '2018-08-24', timestamp: '2018-08-24', value: 104.3515 });
    expect(sma.meta?.lastRefreshedDate).toBe('2018-08-31');
  });

  it('reads indicator meta keys with colons, numeric parameters and both time-zone spellings', () => {
    const bbands = parseIndicator('BBANDS', read('BBANDS-MSFT-daily-2017.json'));
    expect(bbands.meta).toMatchObject({
      symbol: 'MSFT',
      interval: 'daily',
      timePeriod: 5,
      seriesType: 'close',
      timeZone: 'US/Eastern Time',
    });
    expect(bbands.meta?.parameters['Deviation multiplier for upper band']).toBe(3);
    expect(bbands.points[0]).toEqual({
      date: '2017-11-03',
      timestamp: '2017-11-03',
      lower: 82.4207,
      middle: 83.688,
      upper: 84.9553,
    });
    const macd = parseIndicator('MACD', read('MACD-MSFT-daily-2017.json'));
    expect(macd.meta?.parameters).toMatchObject({ 'Fast Period': 12, 'Slow Period': 26, 'Signal Period': 9 });
    expect(macd.meta?.timePeriod).toBeNull();
    expect(macd.points[0]).toMatchObject({ macd: 2.2714, signal: 1.7946, histogram: 0.4768 });
    const macdCsv = parseIndicator('MACD', read('MACD-IBM-daily-2026.csv'));
    expect(macdCsv.meta).toBeNull();
    expect(macdCsv.points[0]).toEqual({
      date: '2026-05-15',
      timestamp: '2026-05-15',
      macd: -6.0102,
      histogram: -0.9742,
      signal: -5.0361,
    });
  });

  it('turns "None" into null and keeps real zeros and negatives', () => {
    const income = parseIncomeStatement(read('INCOME_STATEMENT-IBM-2026.json'));
    const latest = income.annualReports[0];
    expect(latest?.fiscalDateEnding).toBe('2025-12-31');
    expect(latest?.values.investmentIncomeNet).toBeNull();
    expect(latest?.values.totalRevenue).toBe(67_535_000_000);
    expect(latest?.values.incomeTaxExpense).toBe(-242_000_000);
    expect(income.annualReports).toHaveLength(2);
  });

  it("maps old field spellings to current ones (2022's otherNonCurrrentAssets, the 2020 income schema)", () => {
    const balance = parseBalanceSheet(read('BALANCE_SHEET-IBM-2022.json'));
    expect(balance.annualReports[0]?.values.otherNonCurrentAssets).toBe(17_815_000_000);
    expect(balance.annualReports[0]?.values).not.toHaveProperty('otherNonCurrrentAssets');
    const legacy = parseIncomeStatement(read('INCOME_STATEMENT-IBM-2020-legacy-schema.json'));
    expect(legacy.annualReports[0]?.values).toMatchObject({
      sellingGeneralAndAdministrative: 19_956_000_000,
      operatingExpenses: 25_945_000_000,
    });
    expect(legacy.annualReports[0]?.values.effectOfAccountingCharges).toBeNull();
  });

  it('gives every overview vintage the same shape: current fields (null when absent), older ones in `additional`', () => {
    const current = parseOverview(read('OVERVIEW-IBM-2026.json'));
    const older = parseOverview(read('OVERVIEW-IBM-2022.json'));
    const legacy = parseOverview(read('OVERVIEW-IBM-2020-legacy.json'));
    expect(Object.keys(older).sort()).toEqual(Object.keys(current).sort());
    expect(Object.keys(legacy).sort()).toEqual(Object.keys(current).sort());
    expect(current).toMatchObject({
      symbol: 'IBM',
      marketCapitalization: 206_116_848_000,
      week52High: 320.7,
      dividendDate: '2026-06-10',
      additional: {},
    });
    expect(older.officialSite).toBeNull();
    expect(older.analystRatingBuy).toBeNull();
    expect(legacy.additional).toMatchObject({
      LastSplitFactor: '2:1',
      LastSplitDate: '1999-05-27',
      FullTimeEmployees: 352_600,
    });
  });

  it('reads LISTING_STATUS with the literal null, empty names, trailing spaces and odd symbols', () => {
    const listings = parseListingStatus(read('LISTING_STATUS-active-2026.csv'));
    expect(listings[0]).toEqual({
      symbol: '-P-HIZ',
      name: 'Presurance Holdings Inc',
      exchange: 'NASDAQ',
      assetType: 'Stock',
      ipoDate: '2023-08-30',
      delistingDate: null,
      status: 'Active',
    });
    expect(listings.every((listing) => listing.delistingDate === null)).toBe(true);
    expect(listings.find((listing) => listing.symbol === 'AMEH')?.name).toBeNull();
    expect(listings.find((listing) => listing.symbol === 'ARKK')?.name).toBe('ARK INNOVATION ETF');
    expect(new Set(listings.map((listing) => listing.exchange))).toEqual(
      new Set(['NASDAQ', 'NYSE', 'NYSE ARCA', 'BATS', 'NYSE MKT', 'AMEX']),
    );
  });

  it('reads GLOBAL_QUOTE from JSON and CSV into the same fields', () => {
    const json = parseGlobalQuote(read('GLOBAL_QUOTE-IBM-2022.json'));
    const csv = parseGlobalQuote(read('GLOBAL_QUOTE-IBM-2026.csv'));
    expect(json).toEqual({
      symbol: 'IBM',
      open: 140.15,
      high: 141.04,
      low: 137.93,
      price: 137.96,
      volume: 3_587_161,
      latestTradingDay: '2022-06-09',
      previousClose: 140.83,
      change: -2.87,
      changePercent: -2.0379,
    });
    expect(Object.keys(csv)).toEqual(Object.keys(json));
    expect(csv.changePercent).toBe(0.4259);
  });

  it('classifies the real non-data answers with their retry semantics', () => {
    const note = classifyResponse(read('error-Note-call-frequency-2018.json'), 'TIME_SERIES_DAILY');
    expect(note).toMatchObject({ kind: 'limit', retryable: true, scope: 'minute' });
    const error = classifyResponse(
      read('error-ErrorMessage-invalid-call-BOP-demo-2025.json'),
      'TIME_SERIES_DAILY',
    );
    expect(error).toMatchObject({ kind: 'error', retryable: false, reason: 'invalid-call' });
    // The premium sample carries "data" (an artificial sample): it must not pass for a quote.
    const premium = interpretResponse('GLOBAL_QUOTE', read('premium-sample-REALTIME_BULK_QUOTES-2026.json'));
    expect(premium).toMatchObject({ kind: 'premium', retryable: false });
  });
});
