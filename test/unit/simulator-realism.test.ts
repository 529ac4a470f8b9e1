/**
 * The simulator's data looks like AlphaVantage's (issue 21.6): a symbol outside its universe gets
 * AlphaVantage's answers for a symbol it has no data for, companies sit in the sector their name says,
 * P/E is price / EPS and lands where listed companies' do, and IBM's overview and statements are its
 * recorded ones (test/fixtures/alphavantage), with price fields that agree with the simulated prices.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ApiContext, answerQuery } from '../../localstack/simulator/api.ts';
import { PLANS } from '../../localstack/simulator/quotas.ts';
import { type Listing, syntheticUniverse } from '../../localstack/simulator/universe.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

const NOW = '2026-05-15T21:00:00Z';

function context(overrides: Partial<ApiContext> = {}): ApiContext {
  return {
    now: new Date(NOW),
    plan: PLANS.unlimited,
    unknownSymbols: new Set(),
    lineEnding: '\n',
    demoKeyRestricted: false,
    ...overrides,
  };
}

function query(parameters: Record<string, string>, overrides: Partial<ApiContext> = {}) {
  const answer = answerQuery(new URLSearchParams({ apikey: 'k', ...parameters }), context(overrides));
  return { ...answer, json: () => JSON.parse(answer.body) };
}

const recorded = (file: string) => JSON.parse(readFileSync(join(ALPHAVANTAGE_FIXTURES_DIR, file), 'utf8'));
const INDICATOR = { interval: 'daily', time_period: '10', series_type: 'close' };

describe('symbols outside the universe get AlphaVantage’s unknown-symbol answers', () => {
  const listed = new Set(
    [...syntheticUniverse().active, ...syntheticUniverse().delisted].map((listing) => listing.symbol),
  );
  const outsiders = ['ZZZZ', 'QWERTY', 'AAPL2'];

  it('the symbols used here are well formed and not listed', () => {
    for (const symbol of outsiders) expect(listed.has(symbol), symbol).toBe(false);
  });

  it.each(outsiders)('%s: {} for company data, an empty quote, "Invalid API call" for prices', (symbol) => {
    for (const fn of ['OVERVIEW', 'INCOME_STATEMENT', 'BALANCE_SHEET', 'CASH_FLOW'])
      expect(query({ function: fn, symbol }).json(), fn).toEqual({});
    expect(query({ function: 'GLOBAL_QUOTE', symbol }).json()).toEqual({ 'Global Quote': {} });
    for (const fn of ['TIME_SERIES_DAILY', 'SMA', 'RSI']) {
      const body = query({ function: fn, symbol, ...INDICATOR }).json();
      expect(Object.keys(body), fn).toEqual(['Error Message']);
      expect(body['Error Message'], fn).toMatch(/^Invalid API call/);
    }
  });

  it('anySymbol serves them synthetic data (for load benchmarks)', () => {
    const quote = query({ function: 'GLOBAL_QUOTE', symbol: 'ZZZZ' }, { anySymbol: true }).json();
    expect(quote['Global Quote']['01. symbol']).toBe('ZZZZ');
  });

  it('every listed stock gets a quote and an overview', () => {
    const stocks = syntheticUniverse().active.filter((listing) => listing.assetType === 'Stock');
    for (const { symbol } of stocks.slice(0, 40)) {
      expect(query({ function: 'GLOBAL_QUOTE', symbol }).outcome, symbol).toBe('data');
      expect(query({ function: 'OVERVIEW', symbol }).json().Symbol, symbol).toBe(symbol);
    }
  });
});

describe('sectors follow the company', () => {
  const sector = (symbol: string) => query({ function: 'OVERVIEW', symbol }).json().Sector;

  it.each([
    ['AAPL', 'TECHNOLOGY'],
    ['MSFT', 'TECHNOLOGY'],
    ['JPM', 'FINANCIAL SERVICES'],
    ['XOM', 'ENERGY'],
    ['JNJ', 'HEALTHCARE'],
    ['TSLA', 'CONSUMER CYCLICAL'],
  ])('%s is in %s', (symbol, expected) => {
    expect(sector(symbol)).toBe(expected);
  });

  it('generated companies are in the sector their name says; preferred shares in their company’s', () => {
    const byWord: Record<string, string> = {
      Utilities: 'UTILITIES',
      Water: 'UTILITIES',
      Biosciences: 'HEALTHCARE',
      Pharmaceuticals: 'HEALTHCARE',
      Energy: 'ENERGY',
      Semiconductor: 'TECHNOLOGY',
      Realty: 'REAL ESTATE',
    };
    const stocks = syntheticUniverse().active.filter((listing: Listing) => listing.assetType === 'Stock');
    let checked = 0;
    for (const listing of stocks) {
      const word = Object.keys(byWord).find((candidate) => listing.name.split(' ').includes(candidate));
      if (word === undefined || listing.symbol.includes('-')) continue;
      expect(sector(listing.symbol), `${listing.symbol} ${listing.name}`).toBe(byWord[word]);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(10);
    for (const listing of stocks.filter((candidate) => /-(P-[A-Z]|WS)/.test(candidate.symbol)))
      expect(sector(listing.symbol), listing.symbol).toBe(
        sector(listing.symbol.replace(/-(P-[A-Z]+|WS)$/, '')),
      );
  });
});

describe('P/E is price / EPS and plausible', () => {
  const wellKnown = ['AAPL', 'AMZN', 'BA', 'CVX', 'JPM', 'KO', 'MSFT', 'NVDA', 'TSLA', 'XOM'];
  const generated = syntheticUniverse()
    .active.filter((listing) => listing.assetType === 'Stock' && listing.ipoDate < '2000-01-01')
    .slice(0, 20)
    .map((listing) => listing.symbol);

  it.each(['2026-05-15T21:00:00Z', '2012-06-01T21:00:00Z'])('at %s', (now) => {
    for (const symbol of [...wellKnown, ...generated]) {
      const overview = query({ function: 'OVERVIEW', symbol }, { now: new Date(now) }).json();
      const price = Number(
        query({ function: 'GLOBAL_QUOTE', symbol }, { now: new Date(now) }).json()['Global Quote'][
          '05. price'
        ],
      );
      const eps = Number(overview.EPS);
      expect(eps, symbol).toBeGreaterThan(0);
      expect(Number(overview.PERatio), symbol).toBeCloseTo(price / eps, -1);
      expect(Number(overview.PERatio), symbol).toBeGreaterThan(4);
      expect(Number(overview.PERatio), symbol).toBeLessThan(100);
    }
  });
});

describe('IBM: recorded company data, simulated prices', () => {
  const overviewRecording = recorded('OVERVIEW-IBM-2026.json');

  it('OVERVIEW: the recording’s company fields, price fields from the simulated bars', () => {
    const overview = query({ function: 'OVERVIEW', symbol: 'IBM' }).json();
    expect(Object.keys(overview)).toEqual(Object.keys(overviewRecording));
    for (const field of [
      'Name',
      'CIK',
      'Sector',
      'Industry',
      'Description',
      'EPS',
      'SharesOutstanding',
      'LatestQuarter',
    ])
      expect(overview[field], field).toBe(overviewRecording[field]);
    const daily = query({ function: 'TIME_SERIES_DAILY', symbol: 'IBM', outputsize: 'full' }).json()[
      'Time Series (Daily)'
    ] as Record<string, Record<string, string>>;
    const bars = Object.entries(daily).slice(0, 252);
    const close = Number(bars[0]?.[1]['4. close']);
    expect(Number(overview.MarketCapitalization)).toBe(
      Math.round(close * Number(overview.SharesOutstanding)),
    );
    expect(Number(overview['52WeekHigh'])).toBe(Math.max(...bars.map(([, bar]) => Number(bar['2. high']))));
    expect(Number(overview.PERatio)).toBeCloseTo(close / Number(overview.EPS), 1);
  });

  it('prices sit at the recorded price level, so P/E is near the recorded one', () => {
    const recordedPrice =
      Number(overviewRecording.MarketCapitalization) / Number(overviewRecording.SharesOutstanding);
    const price = Number(
      query({ function: 'GLOBAL_QUOTE', symbol: 'IBM' }).json()['Global Quote']['05. price'],
    );
    expect(price / recordedPrice).toBeGreaterThan(0.6);
    expect(price / recordedPrice).toBeLessThan(1.6);
  });

  it.each(['INCOME_STATEMENT', 'BALANCE_SHEET', 'CASH_FLOW'])('%s is the recording', (fn) => {
    expect(query({ function: fn, symbol: 'IBM' }).json()).toEqual(recorded(`${fn}-IBM-2026.json`));
  });

  it('the clock decides which recording is out: 2022 in mid-2022, synthetic before any recording', () => {
    const in2022 = query(
      { function: 'OVERVIEW', symbol: 'IBM' },
      { now: new Date('2022-06-01T21:00:00Z') },
    ).json();
    expect(in2022.LatestQuarter).toBe(recorded('OVERVIEW-IBM-2022.json').LatestQuarter);
    const in2019 = query(
      { function: 'INCOME_STATEMENT', symbol: 'IBM' },
      { now: new Date('2019-06-03T21:00:00Z') },
    ).json();
    expect(in2019.quarterlyReports[0].fiscalDateEnding).toBe('2019-03-31');
  });

  it('recordedDir false: synthetic company data only', () => {
    const synthetic = query(
      { function: 'OVERVIEW', symbol: 'IBM' },
      { recorded: { directory: '(none)', entries: [] } },
    );
    expect(synthetic.json().CIK).not.toBe(overviewRecording.CIK);
    expect(synthetic.json().Sector).toBe('TECHNOLOGY');
  });
});
