/**
 * The /query router: a pure function of the query parameters and the simulator state (clock, plan, rules),
 * so that the HTTP layer only adds quotas, faults and counters. It answers what is the same for every
 * function (premium-only functions, unknown functions, the demo key, recorded fixtures, unknown symbols) and
 * hands the rest to one module per function family under endpoints/.
 *
 * Unknown symbols (symbols.ts: not in the universe, or listed in `unknownSymbols`) get what AlphaVantage
 * answers for a symbol it has no data for, which differs by function: TIME_SERIES_DAILY and the indicators
 * `"Error Message": "Invalid API call ..."`, GLOBAL_QUOTE `{"Global Quote": {}}`, OVERVIEW and the
 * statements `{}`.
 */
import {
  type ApiAnswer,
  CSV_TYPE,
  errorMessage,
  information,
  JSON_TYPE,
  json,
  type LineEnding,
} from './answers.ts';
import { overview, statement } from './endpoints/fundamentals.ts';
import { indicator } from './endpoints/indicators.ts';
import { listingStatus } from './endpoints/listing.ts';
import { globalQuote } from './endpoints/quotes.ts';
import type { SymbolRequest } from './endpoints/request.ts';
import { timeSeriesDaily } from './endpoints/time-series.ts';
import { type FixtureEntry, findFixture, readFixture } from './fixtures.ts';
import { type RecordedFundamentals, recordedFundamentals } from './fundamentals/recorded.ts';
import * as messages from './messages.ts';
import type { Plan } from './quotas.ts';
import { canonicalSymbol, type DailyBar, lastTradingDate } from './series.ts';
import { dailySeriesFor, isKnownSymbol } from './symbols.ts';
import { findListing } from './universe.ts';

export type { ApiAnswer, Outcome } from './answers.ts';

import { SUPPORTED_FUNCTIONS, type SupportedFunction } from './functions.ts';

export { dailySeriesFor, isWellFormedSymbol } from './symbols.ts';

/** Real premium-only functions: the free plan is told so; premium plans get "Invalid API call" (not simulated). */
const PREMIUM_ONLY_FUNCTIONS = new Set([
  'TIME_SERIES_DAILY_ADJUSTED',
  'REALTIME_BULK_QUOTES',
  'HISTORICAL_OPTIONS',
]);

export interface ApiContext {
  now: Date;
  plan: Plan;
  unknownSymbols: ReadonlySet<string>;
  /** Serve every well-formed symbol, not only the universe's (symbols.ts). Default false. */
  anySymbol?: boolean;
  lineEnding: LineEnding;
  /** Answer `apikey=demo` with the demo notice for every symbol but IBM, as AlphaVantage does. */
  demoKeyRestricted: boolean;
  /** Fixture mode: serve these real captures verbatim when one matches. */
  fixtures?: { directory: string; entries: readonly FixtureEntry[] };
  /** Recorded company data; default the repository's recordings (fundamentals/recorded.ts). */
  recorded?: RecordedFundamentals;
  /** Memoised series lookup (the server caches); defaults to computing it. */
  dailySeries?: (symbol: string, now: Date) => DailyBar[];
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

/** What AlphaVantage answers for a symbol it has no data for, per function. */
function unknownSymbolAnswer(fn: SupportedFunction): ApiAnswer {
  if (fn === 'GLOBAL_QUOTE') return json({ 'Global Quote': {} }, 'empty');
  if (fn === 'OVERVIEW' || fn === 'INCOME_STATEMENT' || fn === 'BALANCE_SHEET' || fn === 'CASH_FLOW')
    return json({}, 'empty');
  return errorMessage(messages.invalidApiCall(fn));
}

/** Answers that do not depend on the function family; undefined when the family module should answer. */
function commonAnswer(fn: string, params: URLSearchParams, context: ApiContext): ApiAnswer | undefined {
  if (PREMIUM_ONLY_FUNCTIONS.has(fn)) {
    return context.plan.premium
      ? errorMessage(messages.invalidApiCall(fn))
      : information(messages.PREMIUM_ENDPOINT, 'premium');
  }
  if (!(SUPPORTED_FUNCTIONS as readonly string[]).includes(fn))
    return errorMessage(messages.unknownFunction(fn));
  if (fn === 'TIME_SERIES_DAILY' && params.get('outputsize') === 'full' && !context.plan.premium)
    return information(messages.premiumParameter(fn), 'premium');
  const symbol = params.get('symbol')?.trim();
  if (
    context.demoKeyRestricted &&
    params.get('apikey') === 'demo' &&
    fn !== 'LISTING_STATUS' &&
    canonicalSymbol(symbol ?? '') !== 'IBM'
  ) {
    return information(messages.DEMO_KEY_NOTICE, 'notice');
  }
  return fixtureAnswer(context, fn, params);
}

/**
 * Answers a /query request whose apikey and quota were already checked. `params` are the raw query
 * parameters; function names are case-sensitive upper case, as on AlphaVantage.
 */
export function answerQuery(params: URLSearchParams, context: ApiContext): ApiAnswer {
  const fn = params.get('function') ?? '';
  const common = commonAnswer(fn, params, context);
  if (common !== undefined) return common;
  const supported = fn as SupportedFunction;
  if (supported === 'LISTING_STATUS') return listingStatus(params, context.now, context.lineEnding);
  const symbol = params.get('symbol')?.trim();
  if (symbol === undefined || symbol === '') return errorMessage(messages.invalidApiCall(supported));
  if (!isKnownSymbol(symbol, context)) return unknownSymbolAnswer(supported);
  const recorded = context.recorded ?? recordedFundamentals();
  const request: SymbolRequest = {
    params,
    symbol,
    today: lastTradingDate(context.now),
    wantsCsv: params.get('datatype') === 'csv',
    lineEnding: context.lineEnding,
    series: () =>
      (context.dailySeries ?? ((name, now) => dailySeriesFor(name, now, recorded)))(symbol, context.now),
    listing: findListing(symbol),
  };
  switch (supported) {
    case 'TIME_SERIES_DAILY':
      return timeSeriesDaily(request);
    case 'GLOBAL_QUOTE':
      return globalQuote(request);
    case 'OVERVIEW':
      return overview(request, recorded);
    case 'INCOME_STATEMENT':
    case 'BALANCE_SHEET':
    case 'CASH_FLOW':
      return statement(supported, request, recorded);
    default:
      return indicator(supported, request);
  }
}
