/**
 * What a collection cycle must have stored, computed INDEPENDENTLY of the production code: from the
 * simulator's own generators (the series, statements and overview AlphaVantage "is" in these tests) with
 * the test's own arithmetic. Nothing here calls functions/shared/domain or the AlphaVantage parsers, so a bug
 * there cannot hide behind an expectation computed the same wrong way.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import {
  bbands,
  companyOverview,
  companyStatement,
  type DailyBar,
  dailySeriesFor,
  ema,
  findListing,
  lastTradingDate,
  macd,
  rsi,
} from '../../localstack/simulator/index.ts';
import { type HortonConfig, type IndicatorConfig, indicatorId, type TableRole } from '../../model/config.ts';
import { scanItems } from './e2e-harness.ts';

export const STATEMENTS = ['INCOME_STATEMENT', 'BALANCE_SHEET', 'CASH_FLOW'] as const;
/** The sort key of the history bookkeeping item in the daily-prices table (not a trading day). */
const HISTORY_STATE_KEY = '#history';
/** Points an indicator item keeps (functions/indicators/collect.ts promises "the recent points"). */
const RECENT_POINTS = 30;

export interface YearExtremesItem {
  symbol: string;
  year: number;
  highClose: number;
  highDate: string;
  lowClose: number;
  lowDate: string;
}

/**
 * Highest and lowest close per calendar year of the trading date. Ties: the EARLIEST date wins, which on an
 * ascending series means "replace only on a strictly better close".
 */
export function expectedYearlyExtremes(symbol: string, bars: readonly DailyBar[]): YearExtremesItem[] {
  const byYear = new Map<number, YearExtremesItem>();
  const ascending = [...bars].sort((a, b) => (a.date < b.date ? -1 : 1));
  for (const bar of ascending) {
    const year = Number(bar.date.slice(0, 4));
    const current = byYear.get(year);
    if (!current) {
      byYear.set(year, {
        symbol,
        year,
        highClose: bar.close,
        highDate: bar.date,
        lowClose: bar.close,
        lowDate: bar.date,
      });
      continue;
    }
    if (bar.close > current.highClose) Object.assign(current, { highClose: bar.close, highDate: bar.date });
    if (bar.close < current.lowClose) Object.assign(current, { lowClose: bar.close, lowDate: bar.date });
  }
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}

/** Plain arithmetic mean of the last `period` values. */
export function trailingMean(values: readonly number[], period: number): number {
  const window = values.slice(-period);
  if (window.length < period) throw new Error(`need ${period} values, have ${values.length}`);
  return window.reduce((sum, value) => sum + value, 0) / period;
}

/** AlphaVantage prints indicator values with 4 decimals; the stored value is that text parsed. */
const fourDecimals = (value: number | undefined): number => {
  if (value === undefined) throw new Error('indicator not defined at the last bar');
  return Number(value.toFixed(4));
};

/** The latest value(s) of a daily indicator on closes, as the stored `latest` holds them. */
export function expectedLatestIndicator(
  indicator: IndicatorConfig,
  bars: readonly DailyBar[],
): Record<string, number> {
  if (indicator.interval !== 'daily' || indicator.seriesType !== 'close') {
    throw new Error(`the e2e expectations cover daily indicators on close, not ${indicatorId(indicator)}`);
  }
  const closes = bars.map((bar) => bar.close);
  const last = closes.length - 1;
  switch (indicator.function) {
    case 'SMA':
      // Our own mean, not the simulator's running sum: rounding may differ in the last printed digit.
      return { value: trailingMean(closes, indicator.timePeriod) };
    case 'EMA':
      return { value: fourDecimals(ema(closes, indicator.timePeriod)[last]) };
    case 'RSI':
      return { value: fourDecimals(rsi(closes, indicator.timePeriod)[last]) };
    case 'MACD': {
      // Horton sends no fast/slow/signal periods: AlphaVantage's defaults 12/26/9 apply.
      const result = macd(closes);
      return {
        macd: fourDecimals(result.macd[last]),
        signal: fourDecimals(result.signal[last]),
        histogram: fourDecimals(result.histogram[last]),
      };
    }
    case 'BBANDS': {
      const result = bbands(closes, indicator.timePeriod);
      return {
        lower: fourDecimals(result.lower[last]),
        middle: fourDecimals(result.middle[last]),
        upper: fourDecimals(result.upper[last]),
      };
    }
  }
}

/** A raw AlphaVantage report value ("123", "None") as a number or null. */
const reportValue = (text: string): number | null => (text === 'None' ? null : Number(text));

export interface ExpectedStatement {
  fiscalDateEnding: string;
  reportedCurrency: string;
  values: Record<string, number | null>;
}

/** The newest annual report of a statement, by fiscal date. */
export function expectedLatestAnnual(
  statement: (typeof STATEMENTS)[number],
  symbol: string,
  today: string,
  bars: readonly DailyBar[],
): ExpectedStatement {
  const raw = companyStatement(statement, symbol, today, bars, findListing(symbol));
  if (!('annualReports' in raw)) throw new Error(`${symbol}: no ${statement}`);
  const newest = [...raw.annualReports].sort((a, b) =>
    (a.fiscalDateEnding ?? '') < (b.fiscalDateEnding ?? '') ? 1 : -1,
  )[0];
  if (!newest?.fiscalDateEnding || !newest.reportedCurrency)
    throw new Error(`${symbol}: no annual ${statement}`);
  const { fiscalDateEnding, reportedCurrency, ...rest } = newest;
  return {
    fiscalDateEnding,
    reportedCurrency,
    values: Object.fromEntries(Object.entries(rest).map(([key, text]) => [key, reportValue(text)])),
  };
}

type Item = Record<string, unknown>;

export async function readAllTables(
  doc: DynamoDBDocumentClient,
  tables: Record<TableRole, string>,
): Promise<Record<TableRole, Item[]>> {
  const roles = Object.keys(tables) as TableRole[];
  const contents = await Promise.all(roles.map((role) => scanItems(doc, tables[role])));
  return Object.fromEntries(roles.map((role, index) => [role, contents[index] ?? []])) as Record<
    TableRole,
    Item[]
  >;
}

const bySymbol = (items: Item[], symbol: string) => items.filter((item) => item.symbol === symbol);

/**
 * Asserts that the tables hold exactly what one fault-free cycle over `symbols` must store, per symbol and
 * table, with nothing for any other symbol (apart from the securities table, which lists `securities`).
 *
 * @param simulatorNow the simulator's pinned clock: the series, statements and quote end there
 */
export function assertCollectedData(
  contents: Record<TableRole, Item[]>,
  config: HortonConfig,
  options: { symbols: readonly string[]; securities: readonly string[]; simulatorNow: Date },
): void {
  const { symbols, simulatorNow } = options;
  const today = lastTradingDate(simulatorNow);

  // Securities: exactly the watchlist, from the watchlist.
  expect(contents.securities.map((item) => item.symbol).sort()).toEqual([...options.securities].sort());
  for (const item of contents.securities) expect(item.source).toBe('watchlist');

  // Only the symbols with data have items in the dataset tables.
  for (const role of ['fundamentals', 'dailyPrices', 'yearlyExtremes', 'quotes', 'indicators'] as const) {
    expect(new Set(contents[role].map((item) => item.symbol)), role).toEqual(new Set(symbols));
  }

  for (const symbol of symbols) {
    const bars = dailySeriesFor(symbol, simulatorNow);
    expect(bars.length, `${symbol}: the simulator has history`).toBeGreaterThan(250);
    const last = bars.at(-1) as DailyBar;
    const previous = bars.at(-2) as DailyBar;
    expect(last.date).toBe(today);

    // Daily prices: every bar of the full history, exactly, plus the history bookkeeping item.
    const priceItems = bySymbol(contents.dailyPrices, symbol);
    const stored = priceItems
      .filter((item) => item.date !== HISTORY_STATE_KEY)
      .sort((a, b) => ((a.date as string) < (b.date as string) ? -1 : 1));
    expect(stored.length, `${symbol}: one item per trading day`).toBe(bars.length);
    expect(stored).toEqual(bars.map((bar) => ({ symbol, ...bar })));
    expect(priceItems.find((item) => item.date === HISTORY_STATE_KEY)).toEqual({
      symbol,
      date: HISTORY_STATE_KEY,
      lastStoredDate: last.date,
      firstStoredDate: bars[0]?.date,
      fullLoadDone: true,
      // The ask is recorded: the command's issue time, and the newest bar the answer brought (ADR 0034).
      lastAskedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      lastAnsweredDate: last.date,
    });

    // Yearly close extremes, computed here from the series.
    const extremes = bySymbol(contents.yearlyExtremes, symbol).sort(
      (a, b) => (a.year as number) - (b.year as number),
    );
    expect(extremes, `${symbol}: yearly extremes`).toEqual(expectedYearlyExtremes(symbol, bars));

    // Fundamentals: the overview and the newest annual report of each statement.
    const fundamentals = bySymbol(contents.fundamentals, symbol);
    expect(fundamentals.map((item) => item.kind).sort()).toEqual([
      'BALANCE_SHEET',
      'CASH_FLOW',
      'INCOME_STATEMENT',
      'OVERVIEW',
    ]);
    const overview = fundamentals.find((item) => item.kind === 'OVERVIEW')?.data as Item;
    const rawOverview = companyOverview(symbol, today, bars, findListing(symbol));
    expect(overview).toMatchObject({
      symbol: rawOverview.Symbol,
      name: rawOverview.Name,
      sector: rawOverview.Sector,
      latestQuarter: rawOverview.LatestQuarter,
      marketCapitalization: Number(rawOverview.MarketCapitalization),
      week52High: Number(rawOverview['52WeekHigh']),
      week52Low: Number(rawOverview['52WeekLow']),
    });
    for (const statement of STATEMENTS) {
      const expected = expectedLatestAnnual(statement, symbol, today, bars);
      const item = fundamentals.find((entry) => entry.kind === statement);
      expect(item, `${symbol} ${statement}`).toMatchObject({
        fiscalDateEnding: expected.fiscalDateEnding,
        reportedCurrency: expected.reportedCurrency,
        data: expected.values,
      });
    }

    // Quote: the latest bar, and a rolling window holding that one observation.
    const quote = bySymbol(contents.quotes, symbol)[0] as Item;
    const change = last.close - previous.close;
    expect(quote.latest).toMatchObject({
      symbol,
      price: last.close,
      open: last.open,
      high: last.high,
      low: last.low,
      volume: last.volume,
      latestTradingDay: last.date,
      previousClose: previous.close,
    });
    expect((quote.latest as Item).change).toBeCloseTo(change, 4);
    expect((quote.latest as Item).changePercent).toBeCloseTo((change / previous.close) * 100, 4);
    expect(quote.rolling).toMatchObject({
      count: 1,
      average: last.close,
      windowSize: config.quotes.rollingWindow,
    });
    expect((quote.rolling as { observations: Item[] }).observations.map((entry) => entry.price)).toEqual([
      last.close,
    ]);

    // Indicators: one item per configured indicator, its latest point on the last trading day.
    const indicators = bySymbol(contents.indicators, symbol);
    expect(indicators.map((item) => item.indicator).sort()).toEqual(
      config.indicators.map(indicatorId).sort(),
    );
    for (const indicator of config.indicators) {
      const item = indicators.find((entry) => entry.indicator === indicatorId(indicator)) as Item;
      const what = `${symbol} ${indicatorId(indicator)}`;
      expect(item.latestDate, what).toBe(today);
      const expected = expectedLatestIndicator(indicator, bars);
      const latest = item.latest as Record<string, number>;
      expect(Object.keys(latest).sort(), what).toEqual(Object.keys(expected).sort());
      for (const [name, value] of Object.entries(expected))
        expect(latest[name], `${what} ${name}`).toBeCloseTo(value, 3);
      const recent = item.recent as Item[];
      expect(
        recent.map((point) => point.date),
        what,
      ).toEqual(
        bars
          .slice(-RECENT_POINTS)
          .map((bar) => bar.date)
          .reverse(),
      );
    }
  }
}

/** Texts only an AlphaVantage error, limit or notice body contains. */
export const ERROR_BODY_MARKERS = [
  'Information',
  'Note',
  'Error Message',
  'Thank you for using Alpha Vantage',
];

/** Every item (of every table) whose JSON contains an AlphaVantage error-body marker. */
export function itemsWithErrorBodies(
  contents: Record<TableRole, Item[]>,
): Array<{ role: TableRole; item: Item }> {
  const found: Array<{ role: TableRole; item: Item }> = [];
  for (const [role, items] of Object.entries(contents) as Array<[TableRole, Item[]]>) {
    for (const item of items) {
      const text = JSON.stringify(item);
      if (ERROR_BODY_MARKERS.some((marker) => text.includes(marker))) found.push({ role, item });
    }
  }
  return found;
}
