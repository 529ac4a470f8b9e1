/**
 * Tells what an AlphaVantage answer is. AlphaVantage answers nearly everything with HTTP 200, so the
 * body decides: success is recognised ONLY by the data key the function is expected to return being
 * present and non-empty (e.g. "Time Series (Daily)"); anything else is one of
 * - limit     "Information"/"Note" about request frequency or volume: retry later (retryable)
 * - premium   "Information" saying the endpoint/parameter is premium: permanent for this plan
 * - error     "Error Message" (invalid call, unknown function, bad apikey) or the demo-key notice: permanent
 * - empty     `{"Global Quote": {}}`, a CSV with a header only: AlphaVantage has no data (permanent); a bare `{}`
 *             is also how AlphaVantage answers an unknown symbol, but it comes transiently too, so it is
 *             `retryable`: the caller asks again before believing it
 * - malformed not JSON/CSV, cut off, or an unexpected shape: retryable (usually a transport problem)
 */

export const ALPHAVANTAGE_FUNCTIONS = [
  'TIME_SERIES_DAILY',
  'TIME_SERIES_DAILY_ADJUSTED',
  'GLOBAL_QUOTE',
  'OVERVIEW',
  'INCOME_STATEMENT',
  'BALANCE_SHEET',
  'CASH_FLOW',
  'LISTING_STATUS',
  'SMA',
  'EMA',
  'RSI',
  'MACD',
  'BBANDS',
] as const;
export type AlphaVantageFunction = (typeof ALPHAVANTAGE_FUNCTIONS)[number];
export type IndicatorFunction = 'SMA' | 'EMA' | 'RSI' | 'MACD' | 'BBANDS';

export type LimitScope = 'burst' | 'minute' | 'day' | 'unknown';
export type ErrorReason = 'invalid-call' | 'unknown-function' | 'invalid-api-key' | 'demo-key' | 'other';

export type ResponseClassification =
  | { kind: 'data'; format: 'json'; body: Record<string, unknown> }
  | { kind: 'data'; format: 'csv'; body: string }
  | { kind: 'limit'; retryable: true; message: string; scope: LimitScope }
  | { kind: 'premium'; retryable: false; message: string }
  | { kind: 'error'; retryable: false; message: string; reason: ErrorReason }
  | { kind: 'empty'; retryable: boolean; message: string }
  | { kind: 'malformed'; retryable: true; message: string };

export type FailureClassification = Exclude<ResponseClassification, { kind: 'data' }>;

/** The key whose presence means "this is the data asked for". */
function dataKeyOf(fn: AlphaVantageFunction): string {
  switch (fn) {
    case 'TIME_SERIES_DAILY':
    case 'TIME_SERIES_DAILY_ADJUSTED':
      return 'Time Series (Daily)';
    case 'GLOBAL_QUOTE':
      return 'Global Quote';
    case 'OVERVIEW':
      return 'Symbol';
    case 'INCOME_STATEMENT':
    case 'BALANCE_SHEET':
    case 'CASH_FLOW':
      return 'annualReports';
    case 'LISTING_STATUS':
      return 'symbol';
    default:
      return `Technical Analysis: ${fn}`;
  }
}

/** First CSV column of each function's CSV form. */
function csvFirstColumn(fn: AlphaVantageFunction): string {
  if (fn === 'TIME_SERIES_DAILY' || fn === 'TIME_SERIES_DAILY_ADJUSTED') return 'timestamp';
  if (fn === 'GLOBAL_QUOTE' || fn === 'LISTING_STATUS') return 'symbol';
  return 'time';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNonEmpty = (value: unknown): boolean =>
  Array.isArray(value)
    ? value.length > 0
    : isRecord(value)
      ? Object.keys(value).length > 0
      : typeof value === 'string' && value !== '';

// Not just "premium": the free daily-limit text also says "instantly unlock all premium endpoints".
const PREMIUM_PATTERN = /is a premium (endpoint|feature)/i;
const DEMO_PATTERN = /\bdemo\b.*API key|API key.*\bdemo\b/i;

function limitScope(message: string): LimitScope {
  if (/per second|burst/i.test(message)) return 'burst';
  if (/per minute|call frequency/i.test(message)) return 'minute';
  if (/per day|daily/i.test(message)) return 'day';
  return 'unknown';
}

function classifyNotice(message: string): FailureClassification {
  if (PREMIUM_PATTERN.test(message)) return { kind: 'premium', retryable: false, message };
  if (DEMO_PATTERN.test(message)) return { kind: 'error', retryable: false, message, reason: 'demo-key' };
  return { kind: 'limit', retryable: true, message, scope: limitScope(message) };
}

function errorReason(message: string): ErrorReason {
  if (/apikey/i.test(message)) return 'invalid-api-key';
  if (/does not exist/i.test(message)) return 'unknown-function';
  if (/invalid api call/i.test(message)) return 'invalid-call';
  return 'other';
}

function classifyJson(value: unknown, fn: AlphaVantageFunction): ResponseClassification {
  if (!isRecord(value)) return { kind: 'malformed', retryable: true, message: 'JSON body is not an object' };
  const dataKey = dataKeyOf(fn);
  const data = value[dataKey];
  const isStatement = fn === 'INCOME_STATEMENT' || fn === 'BALANCE_SHEET' || fn === 'CASH_FLOW';
  if (isNonEmpty(data) || (isStatement && isNonEmpty(value.quarterlyReports))) {
    return { kind: 'data', format: 'json', body: value };
  }
  const errorText = value['Error Message'];
  if (typeof errorText === 'string')
    return { kind: 'error', retryable: false, message: errorText, reason: errorReason(errorText) };
  for (const key of ['Information', 'Note'] as const) {
    const notice = value[key];
    if (typeof notice === 'string') return classifyNotice(notice);
  }
  // Premium endpoints answer the demo key with {"endpoint", "message", "data": <artificial sample>}.
  if (typeof value.message === 'string' && PREMIUM_PATTERN.test(value.message)) {
    return { kind: 'premium', retryable: false, message: value.message };
  }
  if (Object.keys(value).length === 0)
    return { kind: 'empty', retryable: true, message: 'empty JSON object {}' };
  if (dataKey in value || (isStatement && 'quarterlyReports' in value)) {
    return { kind: 'empty', retryable: false, message: `"${dataKey}" holds no data` };
  }
  return {
    kind: 'malformed',
    retryable: true,
    message: `no "${dataKey}" in the response (keys: ${Object.keys(value).slice(0, 5).join(', ')})`,
  };
}

function classifyCsv(text: string, fn: AlphaVantageFunction): ResponseClassification {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0]?.replace(/^\uFEFF/, '') ?? '';
  if (header.split(',')[0]?.trim() !== csvFirstColumn(fn)) {
    return { kind: 'malformed', retryable: true, message: `unexpected CSV header "${header.slice(0, 60)}"` };
  }
  if (lines.length < 2) return { kind: 'empty', retryable: false, message: 'CSV has a header but no rows' };
  return { kind: 'data', format: 'csv', body: text };
}

/**
 * Classifies a response body: raw text (JSON or CSV, as received) or an already parsed JSON value.
 * `fn` is the function that was called: it names the data key that must be present.
 */
export function classifyResponse(body: unknown, fn: AlphaVantageFunction): ResponseClassification {
  if (typeof body !== 'string') return classifyJson(body, fn);
  const text = body.replace(/^\uFEFF/, '').trim();
  if (text === '') return { kind: 'malformed', retryable: true, message: 'empty body' };
  if (text.startsWith('{') || text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { kind: 'malformed', retryable: true, message: `invalid JSON: ${(error as Error).message}` };
    }
    return classifyJson(parsed, fn);
  }
  if (text.startsWith('<'))
    return { kind: 'malformed', retryable: true, message: 'HTML instead of data (a proxy or gateway page?)' };
  return classifyCsv(text, fn);
}
