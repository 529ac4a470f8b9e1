/**
 * The /query endpoint's answers, as a pure function of the query parameters and the simulator state
 * (clock, plan, rules), so that the HTTP layer only adds quotas, faults and counters.
 *
 * Symbol rule: a symbol gets synthetic data when it is well formed — 1 to 16 characters from A-Z, 0-9
 * and `.` `-` `/` `:` with at least one letter, case-insensitive (real symbols look like `BRK-B`,
 * `-P-HIZ`, `BC/PB`, `ACWV:BAT`) — and is not listed in `unknownSymbols`. Any other symbol is answered
 * the way AlphaVantage answers a symbol it has no data for, which differs by function:
 * TIME_SERIES_DAILY and the indicators give `"Error Message": "Invalid API call ..."`, GLOBAL_QUOTE
 * gives `{"Global Quote": {}}`, OVERVIEW and the statements give `{}`. ETFs of the synthetic universe
 * have prices but no company data (`{}` for OVERVIEW and statements), as on AlphaVantage.
 */
import { parseIsoDate } from './calendar.ts';
import { type FixtureEntry, findFixture, readFixture } from './fixtures.ts';
import { type StatementFunction, syntheticOverview, syntheticStatement } from './fundamentals.ts';
import * as messages from './messages.ts';
import type { Plan } from './quotas.ts';
import {
  globalQuoteCsv,
  globalQuoteJson,
  type IndicatorFunction,
  type IndicatorParameters,
  indicatorCsv,
  indicatorJson,
  jsonBody,
  type LineEnding,
  listingStatusCsv,
  type SeriesType,
  timeSeriesDailyCsv,
  timeSeriesDailyJson,
} from './responses.ts';
import {
  aggregateBars,
  canonicalSymbol,
  type DailyBar,
  type Interval,
  lastTradingDate,
  syntheticDailySeries,
} from './series.ts';
import { findListing, type Listing, listingsAsOf } from './universe.ts';

export const SUPPORTED_FUNCTIONS = [
  'LISTING_STATUS',
  'OVERVIEW',
  'INCOME_STATEMENT',
  'BALANCE_SHEET',
  'CASH_FLOW',
  'TIME_SERIES_DAILY',
  'GLOBAL_QUOTE',
  'SMA',
  'EMA',
  'RSI',
  'MACD',
  'BBANDS',
] as const;
export type SupportedFunction = (typeof SUPPORTED_FUNCTIONS)[number];

/** Real premium-only functions: the free plan is told so; premium plans get "Invalid API call" (not simulated). */
const PREMIUM_ONLY_FUNCTIONS = new Set([
  'TIME_SERIES_DAILY_ADJUSTED',
  'REALTIME_BULK_QUOTES',
  'HISTORICAL_OPTIONS',
]);

/** How the simulator classifies its own answer, for counters and logs. */
export type Outcome = 'data' | 'error' | 'empty' | 'limit' | 'premium' | 'notice';

export interface ApiAnswer {
  status: number;
  contentType: string;
  body: string;
  outcome: Outcome;
}

export interface ApiContext {
  now: Date;
  plan: Plan;
  unknownSymbols: ReadonlySet<string>;
  lineEnding: LineEnding;
  /** Answer `apikey=demo` with the demo notice for every symbol but IBM, as AlphaVantage does. */
  demoKeyRestricted: boolean;
  fixtures?: { directory: string; entries: readonly FixtureEntry[] };
  /** Memoised series lookup (the server caches); defaults to computing it. */
  dailySeries?: (symbol: string, now: Date) => DailyBar[];
}

const JSON_TYPE = 'application/json';
/** What AlphaVantage labels its CSV downloads with. */
const CSV_TYPE = 'application/x-download';

const json = (value: unknown, outcome: Outcome): ApiAnswer => ({
  status: 200,
  contentType: JSON_TYPE,
  body: jsonBody(value),
  outcome,
});
const errorMessage = (message: string): ApiAnswer => json({ 'Error Message': message }, 'error');
const information = (message: string, outcome: Outcome): ApiAnswer => json({ Information: message }, outcome);
const csv = (body: string): ApiAnswer => ({ status: 200, contentType: CSV_TYPE, body, outcome: 'data' });

const SYMBOL_PATTERN = /^[A-Z0-9.\-/:]{1,16}$/i;

export function isWellFormedSymbol(symbol: string): boolean {
  return SYMBOL_PATTERN.test(symbol) && /[A-Z]/i.test(symbol);
}

/** The daily series a symbol has at `now`: from its listing date, ending at its delisting date if any. */
export function dailySeriesFor(symbol: string, now: Date): DailyBar[] {
  const listing = findListing(symbol);
  const bars = syntheticDailySeries(symbol, now, listing?.ipoDate);
  const delisted = listing?.delistingDate;
  return delisted ? bars.filter((bar) => bar.date <= delisted) : bars;
}

function positiveInteger(value: string | null, fallback?: number): number | undefined {
  if (value === null || value === '') return fallback;
  return /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : undefined;
}

function indicatorParameters(
  fn: IndicatorFunction,
  params: URLSearchParams,
): IndicatorParameters | undefined {
  const interval = params.get('interval');
  const seriesType = params.get('series_type');
  if (interval !== 'daily' && interval !== 'weekly' && interval !== 'monthly') return undefined;
  if (!['close', 'open', 'high', 'low'].includes(seriesType ?? '')) return undefined;
  const needsTimePeriod = fn !== 'MACD';
  const timePeriod = positiveInteger(params.get('time_period'), needsTimePeriod ? undefined : 1);
  const fastPeriod = positiveInteger(params.get('fastperiod'), 12);
  const slowPeriod = positiveInteger(params.get('slowperiod'), 26);
  const signalPeriod = positiveInteger(params.get('signalperiod'), 9);
  const deviationsUp = positiveInteger(params.get('nbdevup'), 2);
  const deviationsDown = positiveInteger(params.get('nbdevdn'), 2);
  const maType = params.get('matype');
  if (maType !== null && maType !== '0') return undefined; // only the simple moving average is simulated
  if (
    [timePeriod, fastPeriod, slowPeriod, signalPeriod, deviationsUp, deviationsDown].some(
      (value) => value === undefined,
    )
  ) {
    return undefined;
  }
  return {
    interval: interval as Interval,
    seriesType: seriesType as SeriesType,
    timePeriod: timePeriod ?? 1,
    fastPeriod: fastPeriod ?? 12,
    slowPeriod: slowPeriod ?? 26,
    signalPeriod: signalPeriod ?? 9,
    deviationsUp: deviationsUp ?? 2,
    deviationsDown: deviationsDown ?? 2,
  };
}

function fixtureAnswer(context: ApiContext, fn: string, params: URLSearchParams): ApiAnswer | undefined {
  if (context.fixtures === undefined) return undefined;
  const datatype = params.get('datatype') === 'csv' || fn === 'LISTING_STATUS' ? 'csv' : 'json';
  const entry = findFixture(context.fixtures.entries, {
    functionName: fn,
    symbol: params.get('symbol') ?? undefined,
    datatype,
    outputSize: params.get('outputsize') ?? 'compact',
    interval: params.get('interval') ?? undefined,
    state: params.get('state') ?? 'active',
  });
  if (entry === undefined) return undefined;
  const body = readFixture(context.fixtures.directory, entry);
  return { status: 200, contentType: datatype === 'csv' ? CSV_TYPE : JSON_TYPE, body, outcome: 'data' };
}

/**
 * Answers a /query request whose apikey and quota were already checked. `params` are the raw query
 * parameters; function names are case-sensitive upper case, as on AlphaVantage.
 */
export function answerQuery(params: URLSearchParams, context: ApiContext): ApiAnswer {
  const fn = params.get('function') ?? '';
  if (PREMIUM_ONLY_FUNCTIONS.has(fn)) {
    return context.plan.premium
      ? errorMessage(messages.invalidApiCall(fn))
      : information(messages.PREMIUM_ENDPOINT, 'premium');
  }
  if (!(SUPPORTED_FUNCTIONS as readonly string[]).includes(fn))
    return errorMessage(messages.unknownFunction(fn));
  const supported = fn as SupportedFunction;

  if (supported === 'TIME_SERIES_DAILY' && params.get('outputsize') === 'full' && !context.plan.premium) {
    return information(messages.premiumParameter(supported), 'premium');
  }
  const symbol = params.get('symbol')?.trim();
  if (
    context.demoKeyRestricted &&
    params.get('apikey') === 'demo' &&
    supported !== 'LISTING_STATUS' &&
    canonicalSymbol(symbol ?? '') !== 'IBM'
  ) {
    return information(messages.DEMO_KEY_NOTICE, 'notice');
  }
  const fromFixture = fixtureAnswer(context, supported, params);
  if (fromFixture !== undefined) return fromFixture;

  if (supported === 'LISTING_STATUS') return listingStatus(params, context);
  if (symbol === undefined || symbol === '') return errorMessage(messages.invalidApiCall(supported));
  const known = isWellFormedSymbol(symbol) && !context.unknownSymbols.has(canonicalSymbol(symbol));
  const wantsCsv = params.get('datatype') === 'csv';
  const today = lastTradingDate(context.now);
  const series = () => (context.dailySeries ?? dailySeriesFor)(symbol, context.now);
  const listing: Listing | undefined = known ? findListing(symbol) : undefined;

  switch (supported) {
    case 'TIME_SERIES_DAILY': {
      const bars = known ? series() : [];
      if (bars.length === 0) return errorMessage(messages.invalidApiCall(supported));
      const outputSize = params.get('outputsize') === 'full' ? 'full' : 'compact';
      return wantsCsv
        ? csv(timeSeriesDailyCsv(bars, outputSize, context.lineEnding))
        : rawJson(timeSeriesDailyJson(symbol, bars, outputSize));
    }
    case 'GLOBAL_QUOTE': {
      const bars = known ? series() : [];
      if (bars.length === 0) return json({ 'Global Quote': {} }, 'empty');
      return wantsCsv
        ? csv(globalQuoteCsv(symbol, bars, context.lineEnding))
        : rawJson(globalQuoteJson(symbol, bars));
    }
    case 'OVERVIEW': {
      if (!known) return json({}, 'empty');
      const overview = syntheticOverview(symbol, today, series(), listing);
      return json(overview, Object.keys(overview).length === 0 ? 'empty' : 'data');
    }
    case 'INCOME_STATEMENT':
    case 'BALANCE_SHEET':
    case 'CASH_FLOW': {
      if (!known || listing?.assetType === 'ETF') return json({}, 'empty');
      return json(syntheticStatement(supported as StatementFunction, symbol, today, listing), 'data');
    }
    default: {
      const parameters = indicatorParameters(supported, params);
      const bars = known && parameters ? series() : [];
      if (parameters === undefined || bars.length === 0)
        return errorMessage(messages.invalidApiCall(supported));
      const aggregated = aggregateBars(bars, parameters.interval);
      return wantsCsv
        ? csv(indicatorCsv(supported, aggregated, parameters, context.lineEnding))
        : rawJson(indicatorJson(supported, symbol, aggregated, parameters));
    }
  }
}

function rawJson(body: string): ApiAnswer {
  return { status: 200, contentType: JSON_TYPE, body, outcome: 'data' };
}

function listingStatus(params: URLSearchParams, context: ApiContext): ApiAnswer {
  const state = params.get('state') ?? 'active';
  const date = params.get('date');
  if (state !== 'active' && state !== 'delisted')
    return errorMessage(messages.invalidApiCall('LISTING_STATUS'));
  let asOf = lastTradingDate(context.now);
  if (date !== null && date !== '') {
    try {
      parseIsoDate(date);
    } catch {
      return errorMessage(messages.invalidApiCall('LISTING_STATUS'));
    }
    // AlphaVantage documents history from 2010-01-01 on; the future is today.
    if (date < '2010-01-01') return errorMessage(messages.invalidApiCall('LISTING_STATUS'));
    if (date < asOf) asOf = date;
  }
  return csv(listingStatusCsv(listingsAsOf(asOf, state), context.lineEnding));
}
