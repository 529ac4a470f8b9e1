/**
 * The simulator's /query answers as a pure function (answerQuery): formats, consistency between
 * functions, AlphaVantage's error/premium answers, the LISTING_STATUS universe, fundamentals that add
 * up, and fixture mode. Parsed with the production parser where the content matters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseBalanceSheet,
  parseCashFlow,
  parseGlobalQuote,
  parseIncomeStatement,
  parseIndicator,
  parseListingStatus,
  parseOverview,
  parseTimeSeriesDaily,
} from '../../functions/shared/alphavantage/index.ts';
import { type ApiContext, answerQuery, isWellFormedSymbol } from '../../localstack/simulator/api.ts';
import { findFixture, indexFixtures, parseFixtureName } from '../../localstack/simulator/fixtures.ts';
import { ema, rsi, sma } from '../../localstack/simulator/indicators.ts';
import { PLANS } from '../../localstack/simulator/quotas.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

const NOW = new Date('2026-05-17T12:00:00Z'); // Sunday; latest trading day Friday 2026-05-15

function context(overrides: Partial<ApiContext> = {}): ApiContext {
  return {
    now: NOW,
    plan: PLANS.unlimited,
    unknownSymbols: new Set(['INVALID', 'UNKNOWN']),
    lineEnding: '\n',
    demoKeyRestricted: false,
    ...overrides,
  };
}

function query(params: Record<string, string>, overrides: Partial<ApiContext> = {}) {
  return answerQuery(new URLSearchParams({ apikey: 'test-key', ...params }), context(overrides));
}

const body = (params: Record<string, string>, overrides: Partial<ApiContext> = {}) =>
  query(params, overrides).body;

describe('TIME_SERIES_DAILY', () => {
  it('is pretty JSON with a 4-space indent and no trailing newline, prices padded to 4 decimals', () => {
    // Act
    const answer = query({ function: 'TIME_SERIES_DAILY', symbol: 'IBM' });
    // Assess
    expect(answer).toMatchObject({ status: 200, contentType: 'application/json', outcome: 'data' });
    expect(answer.body.startsWith('{\n    "Meta Data": {\n        "1. Information": ')).toBe(true);
    expect(answer.body.endsWith('}')).toBe(true);
    const raw = JSON.parse(answer.body);
    const [, bar] = Object.entries(raw['Time Series (Daily)'])[0] as [string, Record<string, string>];
    expect(Object.keys(bar)).toEqual(['1. open', '2. high', '3. low', '4. close', '5. volume']);
    for (const price of [bar['1. open'], bar['2. high'], bar['3. low'], bar['4. close']])
      expect(price).toMatch(/^\d+\.\d{4}$/);
    expect(bar['5. volume']).toMatch(/^\d+$/);
  });

  it('compact is exactly the last 100 bars of full', () => {
    const compact = parseTimeSeriesDaily(body({ function: 'TIME_SERIES_DAILY', symbol: 'MSFT' }));
    const full = parseTimeSeriesDaily(
      body({ function: 'TIME_SERIES_DAILY', symbol: 'MSFT', outputsize: 'full' }),
    );
    expect(compact.bars).toHaveLength(100);
    expect(compact.bars).toEqual(full.bars.slice(0, 100));
    expect(full.bars.at(-1)?.date).toBe('1999-11-01');
    expect(compact.meta).toMatchObject({
      symbol: 'MSFT',
      lastRefreshed: '2026-05-15',
      outputSize: 'Compact',
      timeZone: 'US/Eastern',
    });
    expect(full.meta?.outputSize).toBe('Full size');
  });

  it('serves the same bars as CSV (LF by default, CRLF on request), newest first', () => {
    const json = parseTimeSeriesDaily(body({ function: 'TIME_SERIES_DAILY', symbol: 'AAPL' }));
    const csv = query({ function: 'TIME_SERIES_DAILY', symbol: 'AAPL', datatype: 'csv' });
    expect(csv.contentType).toBe('application/x-download');
    expect(csv.body.split('\n')[0]).toBe('timestamp,open,high,low,close,volume');
    expect(csv.body.endsWith('\n')).toBe(true);
    expect(parseTimeSeriesDaily(csv.body).bars).toEqual(json.bars);
    const crlf = body(
      { function: 'TIME_SERIES_DAILY', symbol: 'AAPL', datatype: 'csv' },
      { lineEnding: '\r\n' },
    );
    expect(crlf.split('\r\n')).toHaveLength(102);
  });

  it('echoes the symbol as requested, with data for its upper-case form', () => {
    const lower = parseTimeSeriesDaily(body({ function: 'TIME_SERIES_DAILY', symbol: 'ibm' }));
    const upper = parseTimeSeriesDaily(body({ function: 'TIME_SERIES_DAILY', symbol: 'IBM' }));
    expect(lower.meta?.symbol).toBe('ibm');
    expect(lower.bars).toEqual(upper.bars);
  });
});

describe('consistency between functions', () => {
  it('GLOBAL_QUOTE is the latest daily bar with the change against the previous close', () => {
    const [latest, previous] = parseTimeSeriesDaily(
      body({ function: 'TIME_SERIES_DAILY', symbol: 'NVDA' }),
    ).bars;
    const quote = parseGlobalQuote(body({ function: 'GLOBAL_QUOTE', symbol: 'NVDA' }));
    expect(quote).toMatchObject({
      symbol: 'NVDA',
      open: latest?.open,
      high: latest?.high,
      low: latest?.low,
      price: latest?.close,
      volume: latest?.volume,
      latestTradingDay: latest?.date,
      previousClose: previous?.close,
    });
    const change = (latest?.close ?? 0) - (previous?.close ?? 0);
    expect(quote.change).toBeCloseTo(change, 4);
    expect(quote.changePercent).toBeCloseTo((change / (previous?.close ?? 1)) * 100, 4);
    expect(parseGlobalQuote(body({ function: 'GLOBAL_QUOTE', symbol: 'NVDA', datatype: 'csv' }))).toEqual(
      quote,
    );
  });

  it.each([
    ['SMA', (closes: number[]) => sma(closes, 20)],
    ['EMA', (closes: number[]) => ema(closes, 20)],
    ['RSI', (closes: number[]) => rsi(closes, 20)],
  ] as const)('%s is computed from the same daily closes', (fn, compute) => {
    // Prepare: the daily closes the simulator serves, oldest first.
    const closes = parseTimeSeriesDaily(
      body({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' }),
    )
      .bars.map((bar) => bar.close)
      .reverse();
    const expected = compute(closes).filter((value) => value !== undefined);
    // Act
    const series = parseIndicator(
      fn,
      body({ function: fn, symbol: 'IBM', interval: 'daily', time_period: '20', series_type: 'close' }),
    );
    // Assess
    expect(series.points).toHaveLength(expected.length);
    expect(series.points[0]?.value).toBeCloseTo(expected.at(-1) ?? Number.NaN, 4);
    expect(series.points.at(-1)?.value).toBeCloseTo(expected[0] ?? Number.NaN, 4);
    expect(series.meta).toMatchObject({
      symbol: 'IBM',
      interval: 'daily',
      timePeriod: 20,
      seriesType: 'close',
      lastRefreshed: '2026-05-15',
    });
  });

  it("weekly indicators are keyed by each week's last trading day", () => {
    const sma10 = parseIndicator(
      'SMA',
      body({ function: 'SMA', symbol: 'IBM', interval: 'weekly', time_period: '10', series_type: 'open' }),
    );
    expect(sma10.points.map((point) => point.date)).toContain('2026-04-02'); // Thursday before Good Friday
    expect(sma10.points[0]?.date).toBe('2026-05-15');
  });

  it('MACD and BBANDS answer in JSON and CSV with the same values', () => {
    const params = { symbol: 'MSFT', interval: 'daily', series_type: 'close' };
    const macdJson = parseIndicator('MACD', body({ function: 'MACD', ...params }));
    const macdCsv = parseIndicator('MACD', body({ function: 'MACD', ...params, datatype: 'csv' }));
    expect(macdCsv.points).toEqual(macdJson.points);
    expect(macdJson.meta?.parameters).toMatchObject({
      'Fast Period': 12,
      'Slow Period': 26,
      'Signal Period': 9,
    });
    const bands = parseIndicator(
      'BBANDS',
      body({ function: 'BBANDS', ...params, time_period: '5', nbdevup: '3', nbdevdn: '3' }),
    );
    const first = bands.points[0];
    expect((first?.upper ?? 0) - (first?.middle ?? 0)).toBeCloseTo(
      (first?.middle ?? 0) - (first?.lower ?? 0),
      3,
    );
  });
});

describe('AlphaVantage error and premium answers (always HTTP 200)', () => {
  it('names an unknown function', () => {
    expect(JSON.parse(body({ function: 'TIME_SERIES_DAILYX', symbol: 'IBM' }))).toEqual({
      'Error Message': 'This API function (TIME_SERIES_DAILYX) does not exist.',
    });
  });

  it.each([
    ['no symbol', { function: 'TIME_SERIES_DAILY' }],
    ['an unknown symbol', { function: 'TIME_SERIES_DAILY', symbol: 'INVALID' }],
    ['a malformed symbol', { function: 'TIME_SERIES_DAILY', symbol: 'NOT A TICKER!' }],
    [
      'an indicator without series_type',
      { function: 'SMA', symbol: 'IBM', interval: 'daily', time_period: '10' },
    ],
    [
      'an indicator with a bad time_period',
      { function: 'RSI', symbol: 'IBM', interval: 'daily', time_period: '-3', series_type: 'close' },
    ],
  ])('answers "Invalid API call" for %s', (_name, params) => {
    const answer = query(params);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      'Error Message': `Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for ${params.function}.`,
    });
  });

  it('answers an unknown symbol the way each function does on AlphaVantage', () => {
    expect(JSON.parse(body({ function: 'GLOBAL_QUOTE', symbol: 'UNKNOWN' }))).toEqual({ 'Global Quote': {} });
    expect(JSON.parse(body({ function: 'OVERVIEW', symbol: 'UNKNOWN' }))).toEqual({});
    expect(JSON.parse(body({ function: 'CASH_FLOW', symbol: 'INVALID' }))).toEqual({});
    expect(query({ function: 'OVERVIEW', symbol: 'IBM' }, { unknownSymbols: new Set(['IBM']) }).outcome).toBe(
      'empty',
    );
  });

  it('has no company data for ETFs', () => {
    expect(body({ function: 'OVERVIEW', symbol: 'SPY' })).toBe('{}');
    expect(body({ function: 'INCOME_STATEMENT', symbol: 'SPY' })).toBe('{}');
    expect(query({ function: 'GLOBAL_QUOTE', symbol: 'SPY' }).outcome).toBe('data');
  });

  it('gives the free plan the premium answer for outputsize=full and premium functions', () => {
    expect(
      JSON.parse(
        body({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' }, { plan: PLANS.free }),
      ),
    ).toEqual({
      Information:
        'Thank you for using Alpha Vantage! The outputsize=full parameter value is a premium feature for the TIME_SERIES_DAILY endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium features',
    });
    expect(query({ function: 'TIME_SERIES_DAILY', symbol: 'IBM' }, { plan: PLANS.free }).outcome).toBe(
      'data',
    );
    expect(
      query({ function: 'TIME_SERIES_DAILY_ADJUSTED', symbol: 'IBM' }, { plan: PLANS.free }).outcome,
    ).toBe('premium');
    expect(
      query({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' }, { plan: PLANS.premium75 })
        .outcome,
    ).toBe('data');
  });

  it('restricts the demo key to IBM when asked to', () => {
    const restricted = { demoKeyRestricted: true };
    expect(
      answerQuery(
        new URLSearchParams({ function: 'OVERVIEW', symbol: 'MSFT', apikey: 'demo' }),
        context(restricted),
      ).outcome,
    ).toBe('notice');
    expect(
      answerQuery(
        new URLSearchParams({ function: 'OVERVIEW', symbol: 'IBM', apikey: 'demo' }),
        context(restricted),
      ).outcome,
    ).toBe('data');
  });

  it('accepts real-world symbol forms and rejects junk', () => {
    for (const symbol of ['IBM', 'BRK-B', '-P-HIZ', 'BC/PB', 'ACWV:BAT', 'BRK.B', 'ibm'])
      expect(isWellFormedSymbol(symbol), symbol).toBe(true);
    for (const symbol of ['', '1234', 'A B', 'WAYTOOLONGSYMBOL123', 'IBM;DROP'])
      expect(isWellFormedSymbol(symbol), symbol).toBe(false);
  });
});

describe('LISTING_STATUS universe', () => {
  const listings = parseListingStatus(body({ function: 'LISTING_STATUS' }));

  it('has a few hundred active rows across the five exchanges, stocks and ETFs, with the common tickers', () => {
    expect(listings.length).toBeGreaterThan(200);
    expect(listings.length).toBeLessThan(1000);
    expect(new Set(listings.map((listing) => listing.exchange))).toEqual(
      new Set(['NYSE', 'NASDAQ', 'NYSE ARCA', 'NYSE MKT', 'BATS']),
    );
    expect(new Set(listings.map((listing) => listing.assetType))).toEqual(new Set(['Stock', 'ETF']));
    const symbols = new Set(listings.map((listing) => listing.symbol));
    for (const symbol of ['IBM', 'MSFT', 'AAPL', 'AMZN', 'GOOGL', 'NVDA', 'SPY'])
      expect(symbols.has(symbol), symbol).toBe(true);
    expect(listings.every((listing) => listing.status === 'Active' && listing.delistingDate === null)).toBe(
      true,
    );
  });

  it("writes AlphaVantage's literal null and sorts by symbol", () => {
    const text = body({ function: 'LISTING_STATUS' });
    expect(text.split('\n')[0]).toBe('symbol,name,exchange,assetType,ipoDate,delistingDate,status');
    expect(text).toContain(',null,Active\n');
    const symbols = listings.map((listing) => listing.symbol);
    expect(symbols).toEqual([...symbols].sort());
    expect(listings.some((listing) => listing.name === null)).toBe(true);
  });

  it('travels back in time with date= and lists delisted symbols with state=delisted', () => {
    const in2012 = parseListingStatus(body({ function: 'LISTING_STATUS', date: '2012-06-01' }));
    expect(in2012.length).toBeLessThan(listings.length + 40);
    expect(in2012.every((listing) => listing.ipoDate <= '2012-06-01')).toBe(true);
    expect(in2012.map((listing) => listing.symbol)).not.toContain('DOW');
    const delisted = parseListingStatus(body({ function: 'LISTING_STATUS', state: 'delisted' }));
    expect(delisted.length).toBeGreaterThan(0);
    expect(
      delisted.every(
        (listing) =>
          listing.status === 'Delisted' &&
          listing.delistingDate !== null &&
          listing.delistingDate > listing.ipoDate,
      ),
    ).toBe(true);
    expect(query({ function: 'LISTING_STATUS', date: '2026-13-01' }).outcome).toBe('error');
  });

  it('gives every listed symbol a price series starting at its listing date', () => {
    const young = listings.find((listing) => listing.ipoDate > '2015-01-01' && listing.assetType === 'Stock');
    expect(young).toBeDefined();
    const series = parseTimeSeriesDaily(
      body({ function: 'TIME_SERIES_DAILY', symbol: young?.symbol ?? '', outputsize: 'full' }),
    );
    expect(series.bars.at(-1)?.date).toBe(young?.ipoDate);
  });
});

describe('fundamentals add up', () => {
  const income = parseIncomeStatement(body({ function: 'INCOME_STATEMENT', symbol: 'MSFT' }));
  const balance = parseBalanceSheet(body({ function: 'BALANCE_SHEET', symbol: 'MSFT' }));
  const cash = parseCashFlow(body({ function: 'CASH_FLOW', symbol: 'MSFT' }));

  it('reports up to 20 years and 81 quarters, the latest quarter 30 days after it ends', () => {
    expect(income.annualReports).toHaveLength(20);
    expect(income.annualReports[0]?.fiscalDateEnding).toBe('2025-12-31');
    expect(income.quarterlyReports).toHaveLength(81);
    expect(income.quarterlyReports[0]?.fiscalDateEnding).toBe('2026-03-31');
    expect(income.quarterlyReports.at(-1)?.fiscalDateEnding).toBe('2006-03-31');
  });

  it('annual flows are the sums of their quarters; gross profit = revenue - cost of revenue', () => {
    const year = income.annualReports.find((report) => report.fiscalDateEnding === '2024-12-31');
    const quarters = income.quarterlyReports.filter((report) => report.fiscalDateEnding.startsWith('2024-'));
    expect(quarters).toHaveLength(4);
    const revenue = quarters.reduce((sum, report) => sum + (report.values.totalRevenue ?? 0), 0);
    expect(year?.values.totalRevenue).toBe(revenue);
    for (const report of income.quarterlyReports) {
      expect(report.values.grossProfit).toBe(
        (report.values.totalRevenue ?? 0) - (report.values.costOfRevenue ?? 0),
      );
    }
  });

  it('assets = liabilities + equity, and the cash flow net income is the income statement one', () => {
    for (const report of balance.quarterlyReports) {
      expect(report.values.totalAssets).toBe(
        (report.values.totalLiabilities ?? 0) + (report.values.totalShareholderEquity ?? 0),
      );
    }
    const netIncome = new Map(
      income.quarterlyReports.map((report) => [report.fiscalDateEnding, report.values.netIncome]),
    );
    for (const report of cash.quarterlyReports)
      expect(report.values.netIncome).toBe(netIncome.get(report.fiscalDateEnding));
  });

  it('OVERVIEW agrees with the price series and the statements', () => {
    const overview = parseOverview(body({ function: 'OVERVIEW', symbol: 'MSFT' }));
    const quote = parseGlobalQuote(body({ function: 'GLOBAL_QUOTE', symbol: 'MSFT' }));
    const bars = parseTimeSeriesDaily(
      body({ function: 'TIME_SERIES_DAILY', symbol: 'MSFT', outputsize: 'full' }),
    ).bars;
    expect(overview.symbol).toBe('MSFT');
    expect(overview.latestQuarter).toBe('2026-03-31');
    expect(overview.marketCapitalization).toBe(Math.round((overview.sharesOutstanding ?? 0) * quote.price));
    expect(overview.week52High).toBe(Math.max(...bars.slice(0, 252).map((bar) => bar.high)));
    expect(overview.week52Low).toBe(Math.min(...bars.slice(0, 252).map((bar) => bar.low)));
    const ttmRevenue = income.quarterlyReports
      .slice(0, 4)
      .reduce((sum, report) => sum + (report.values.totalRevenue ?? 0), 0);
    expect(overview.revenueTtm).toBe(ttmRevenue);
    expect(overview.movingAverage50Day).toBeCloseTo(
      bars.slice(0, 50).reduce((sum, bar) => sum + bar.close, 0) / 50,
      2,
    );
  });
});

const fixturesDir = ALPHAVANTAGE_FIXTURES_DIR;

describe('fixture mode', () => {
  it('parses fixture file names', () => {
    expect(parseFixtureName('TIME_SERIES_DAILY-IBM-compact-2024.json')).toMatchObject({
      functionName: 'TIME_SERIES_DAILY',
      key: 'IBM',
      datatype: 'json',
      tokens: ['compact', '2024'],
      vintage: 2024,
      legacy: false,
    });
    expect(parseFixtureName('OVERVIEW-IBM-2020-legacy.json')?.legacy).toBe(true);
    expect(parseFixtureName('error-Note-call-frequency-2018.json')).toBeUndefined();
  });

  it('picks the matching capture: function, symbol, datatype, size, interval, newest non-legacy vintage', () => {
    const entries = indexFixtures(fixturesDir);
    const pick = (request: Parameters<typeof findFixture>[1]) => findFixture(entries, request)?.file;
    expect(
      pick({ functionName: 'TIME_SERIES_DAILY', symbol: 'msft', datatype: 'json', outputSize: 'compact' }),
    ).toBe('TIME_SERIES_DAILY-MSFT-compact-2019.json');
    expect(
      pick({ functionName: 'TIME_SERIES_DAILY', symbol: 'IBM', datatype: 'json', outputSize: 'full' }),
    ).toBe('TIME_SERIES_DAILY-IBM-full.json');
    expect(
      pick({ functionName: 'TIME_SERIES_DAILY', symbol: 'QCOM', datatype: 'csv', outputSize: 'full' }),
    ).toBe('TIME_SERIES_DAILY-QCOM-2000-2017.csv');
    expect(pick({ functionName: 'OVERVIEW', symbol: 'IBM', datatype: 'json' })).toBe(
      'OVERVIEW-IBM-2026.json',
    );
    expect(pick({ functionName: 'SMA', symbol: 'IBM', datatype: 'json', interval: 'weekly' })).toBe(
      'SMA-IBM-weekly-2022.json',
    );
    expect(pick({ functionName: 'SMA', symbol: 'IBM', datatype: 'json', interval: 'daily' })).toBeUndefined();
    expect(pick({ functionName: 'LISTING_STATUS', datatype: 'csv', state: 'active' })).toBe(
      'LISTING_STATUS-active-2026.csv',
    );
  });

  it('serves the capture byte for byte, and synthetic data when nothing matches', () => {
    const fixtures = { directory: fixturesDir, entries: indexFixtures(fixturesDir) };
    const served = body({ function: 'GLOBAL_QUOTE', symbol: 'IBM' }, { fixtures });
    expect(served).toBe(readFileSync(join(fixturesDir, 'GLOBAL_QUOTE-IBM-2022.json'), 'utf8'));
    const synthetic = parseGlobalQuote(body({ function: 'GLOBAL_QUOTE', symbol: 'AMZN' }, { fixtures }));
    expect(synthetic.latestTradingDay).toBe('2026-05-15');
  });
});
