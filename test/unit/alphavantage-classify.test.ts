/**
 * classifyResponse / interpretResponse on AlphaVantage's non-data answers. The message texts are the
 * real ones quoted in shared/fixtures/PROVENANCE.md ("Looked for but not saved") and public client
 * suites; the JSON wrappers are AlphaVantage's shapes.
 */
import { describe, expect, it } from 'vitest';
import {
  AlphaVantageResponseError,
  AlphaVantageSchemaError,
  classifyResponse,
  interpretResponse,
  parseGlobalQuote,
  parseOverview,
  parseTimeSeriesDaily,
} from '../../functions/shared/alphavantage/index.ts';

const pretty = (value: unknown) => JSON.stringify(value, null, 4);

const FREE_DAILY =
  'Thank you for using Alpha Vantage! Please consider spreading out your free API requests more sparingly. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to lift the free key rate limit (25 requests per day) and instantly unlock all premium endpoints';
const FREE_BURST =
  'Thank you for using Alpha Vantage! Please consider spreading out your free API requests more sparingly (1 request per second). You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to lift the free key rate limit (25 requests per day), raise the per-second burst limit, and instantly unlock all premium endpoints';
const STANDARD_DAILY =
  'Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.';
const PREMIUM_FULL =
  'Thank you for using Alpha Vantage! The outputsize=full parameter value is a premium feature for the TIME_SERIES_DAILY endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium features';
const PREMIUM_ENDPOINT =
  'Thank you for using Alpha Vantage! This is a premium endpoint. You may subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly unlock all premium endpoints';
const DEMO =
  'The **demo** API key is for demo purposes only. Please claim your free API key at (https://www.alphavantage.co/support/#api-key) to explore our full API offerings. It takes fewer than 20 seconds, and we are committed to making it free forever.';
const BAD_KEY =
  'the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.';

const QUOTE = {
  'Global Quote': {
    '01. symbol': 'IBM',
    '02. open': '140.1500',
    '03. high': '141.0400',
    '04. low': '137.9300',
    '05. price': '137.9600',
    '06. volume': '3587161',
    '07. latest trading day': '2022-06-09',
    '08. previous close': '140.8300',
    '09. change': '-2.8700',
    '10. change percent': '-2.0379%',
  },
};

describe('classifyResponse', () => {
  it.each([
    ['free daily quota', { Information: FREE_DAILY }, 'day'],
    ['free burst limit', { Information: FREE_BURST }, 'burst'],
    ['standard daily limit', { Information: STANDARD_DAILY }, 'day'],
    [
      '2018 call frequency note',
      {
        Note: 'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day.',
      },
      'minute',
    ],
  ] as const)('%s -> limit (retryable), scope %s', (_name, body, scope) => {
    // Act
    const result = classifyResponse(pretty(body), 'TIME_SERIES_DAILY');
    // Assess: the daily-limit text mentions "premium endpoints" yet is a limit, not a premium answer.
    expect(result).toMatchObject({ kind: 'limit', retryable: true, scope });
  });

  it.each([
    ['outputsize=full on the free plan', PREMIUM_FULL],
    ['premium-only endpoint', PREMIUM_ENDPOINT],
  ])('%s -> premium (permanent for this plan)', (_name, message) => {
    expect(classifyResponse(pretty({ Information: message }), 'TIME_SERIES_DAILY')).toMatchObject({
      kind: 'premium',
      retryable: false,
      message,
    });
  });

  it.each([
    ['unknown function', 'This API function (FOO) does not exist.', 'unknown-function'],
    [
      'invalid call',
      'Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_DAILY.',
      'invalid-call',
    ],
    ['bad apikey', BAD_KEY, 'invalid-api-key'],
  ] as const)('"Error Message" (%s) -> error %s, permanent', (_name, message, reason) => {
    expect(classifyResponse(pretty({ 'Error Message': message }), 'TIME_SERIES_DAILY')).toMatchObject({
      kind: 'error',
      retryable: false,
      reason,
    });
  });

  it('the demo-key notice is a permanent error, not a limit to wait out', () => {
    expect(classifyResponse(pretty({ Information: DEMO }), 'OVERVIEW')).toMatchObject({
      kind: 'error',
      reason: 'demo-key',
      retryable: false,
    });
  });

  it('{} -> empty but retryable: AlphaVantage sends it transiently too', () => {
    expect(classifyResponse('{}', 'OVERVIEW')).toMatchObject({ kind: 'empty', retryable: true });
    expect(classifyResponse('{}', 'GLOBAL_QUOTE')).toMatchObject({ kind: 'empty', retryable: true });
  });

  it.each([
    ['an empty Global Quote (unknown symbol)', pretty({ 'Global Quote': {} }), 'GLOBAL_QUOTE'],
    ['a CSV header without rows', 'timestamp,open,high,low,close,volume\r\n', 'TIME_SERIES_DAILY'],
    [
      'statements with no reports',
      pretty({ symbol: 'X', annualReports: [], quarterlyReports: [] }),
      'CASH_FLOW',
    ],
  ] as const)('%s -> empty', (_name, body, fn) => {
    expect(classifyResponse(body, fn)).toMatchObject({ kind: 'empty', retryable: false });
  });

  it.each([
    ['cut-off JSON', pretty(QUOTE).slice(0, 80)],
    ['an HTML gateway page', '<html><head><title>502 Bad Gateway</title></head></html>'],
    ['an empty body', ''],
    ['JSON of another function', pretty({ 'Meta Data': {}, 'Time Series (Daily)': { '2024-01-02': {} } })],
    ['a CSV with the wrong header', 'foo,bar\n1,2\n'],
  ])('%s -> malformed (retryable)', (_name, body) => {
    expect(classifyResponse(body, 'GLOBAL_QUOTE')).toMatchObject({ kind: 'malformed', retryable: true });
  });

  it('recognises data by the data key, from text or an already parsed object', () => {
    expect(classifyResponse(pretty(QUOTE), 'GLOBAL_QUOTE').kind).toBe('data');
    expect(classifyResponse(QUOTE, 'GLOBAL_QUOTE').kind).toBe('data');
    expect(
      classifyResponse('\uFEFFsymbol,name\nIBM,International Business Machines\n', 'LISTING_STATUS').kind,
    ).toBe('data');
  });

  it('never takes an error body for data, even for a function whose data key is generic', () => {
    // OVERVIEW's data key is "Symbol": an error body must not be read as an (empty) overview.
    const result = interpretResponse('OVERVIEW', pretty({ 'Error Message': 'Invalid API call.' }));
    expect(result.kind).toBe('error');
  });
});

describe('parse helpers', () => {
  it('throw AlphaVantageResponseError carrying the classification for non-data answers', () => {
    // Act
    const attempt = () => parseTimeSeriesDaily(pretty({ Information: FREE_DAILY }));
    // Assess
    expect(attempt).toThrow(AlphaVantageResponseError);
    try {
      attempt();
    } catch (error) {
      expect((error as AlphaVantageResponseError).classification.kind).toBe('limit');
      expect((error as AlphaVantageResponseError).retryable).toBe(true);
    }
    expect(() => parseOverview('{}')).toThrow(/empty/);
  });

  it('report a present-but-wrong data shape as invalid (permanent), naming the field', () => {
    // Prepare: a quote whose price is not a number.
    const broken = structuredClone(QUOTE);
    broken['Global Quote']['05. price'] = 'n/a';
    // Act
    const result = interpretResponse('GLOBAL_QUOTE', pretty(broken));
    // Assess
    expect(result).toMatchObject({ kind: 'invalid', retryable: false });
    expect(() => parseGlobalQuote(pretty(broken))).toThrow(AlphaVantageSchemaError);
    expect(() => parseGlobalQuote(pretty(broken))).toThrow(/05\. price/);
  });

  it('reject impossible dates', () => {
    const body = pretty({
      'Meta Data': {
        '1. Information': 'x',
        '2. Symbol': 'IBM',
        '3. Last Refreshed': '2024-02-30',
        '4. Output Size': 'Compact',
        '5. Time Zone': 'US/Eastern',
      },
      'Time Series (Daily)': {
        '2024-02-30': { '1. open': '1', '2. high': '1', '3. low': '1', '4. close': '1', '5. volume': '1' },
      },
    });
    expect(interpretResponse('TIME_SERIES_DAILY', body).kind).toBe('invalid');
  });

  it('reject a fractional volume', () => {
    const csv = 'timestamp,open,high,low,close,volume\n2024-01-02,1.0,1.0,1.0,1.0,10.5\n';
    expect(interpretResponse('TIME_SERIES_DAILY', csv).kind).toBe('invalid');
  });
});
