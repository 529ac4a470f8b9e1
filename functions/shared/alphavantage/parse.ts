/**
 * One entry point per function: body text (JSON or CSV, as received) -> typed data, or a precise
 * account of what AlphaVantage answered instead. Pure: no I/O, no logging.
 *
 * - `interpretResponse(fn, body)` never throws: `{ kind: 'data', data }`, one of the classifications
 *   of classify.ts (limit / premium / error / empty / malformed), or `invalid` when the data key was
 *   there but the content does not have the expected shape (not retryable: the same answer will come).
 * - `parseResponse(fn, body)` and the `parseX` helpers return the data or throw
 *   AlphaVantageResponseError / AlphaVantageSchemaError.
 */
import type * as z from 'zod';
import {
  type AlphaVantageFunction,
  classifyResponse,
  type FailureClassification,
  type IndicatorFunction,
} from './classify.ts';
import { readCsvRecords } from './csv.ts';
import { AlphaVantageResponseError, AlphaVantageSchemaError } from './errors.ts';
import {
  type CompanyOverview,
  type FinancialStatement,
  financialStatementSchema,
  overviewSchema,
} from './fundamentals.ts';
import { type GlobalQuote, globalQuoteCsvRowSchema, globalQuoteJsonSchema } from './global-quote.ts';
import { type IndicatorSeries, indicatorCsvRowsSchema, indicatorJsonSchema } from './indicators.ts';
import { type Listing, listingRowSchema } from './listing-status.ts';
import {
  type AdjustedDailyBar,
  adjustedCsvRowSchema,
  adjustedSeriesJsonSchema,
  type DailySeries,
  dailyCsvRowSchema,
  dailySeriesFastPath,
  dailySeriesFromCsvRows,
  dailySeriesJsonSchema,
} from './time-series.ts';

export interface ParsedData {
  TIME_SERIES_DAILY: DailySeries;
  TIME_SERIES_DAILY_ADJUSTED: DailySeries<AdjustedDailyBar>;
  GLOBAL_QUOTE: GlobalQuote;
  OVERVIEW: CompanyOverview;
  INCOME_STATEMENT: FinancialStatement;
  BALANCE_SHEET: FinancialStatement;
  CASH_FLOW: FinancialStatement;
  LISTING_STATUS: Listing[];
  SMA: IndicatorSeries<'SMA'>;
  EMA: IndicatorSeries<'EMA'>;
  RSI: IndicatorSeries<'RSI'>;
  MACD: IndicatorSeries<'MACD'>;
  BBANDS: IndicatorSeries<'BBANDS'>;
}

export interface InvalidData {
  kind: 'invalid';
  retryable: false;
  message: string;
  issues: readonly z.core.$ZodIssue[];
}

export type Interpretation<Fn extends AlphaVantageFunction> =
  | { kind: 'data'; data: ParsedData[Fn] }
  | FailureClassification
  | InvalidData;

const INDICATORS: readonly string[] = ['SMA', 'EMA', 'RSI', 'MACD', 'BBANDS'];

function jsonSchemaFor(fn: AlphaVantageFunction): z.ZodType | undefined {
  switch (fn) {
    case 'TIME_SERIES_DAILY':
      return dailySeriesJsonSchema;
    case 'TIME_SERIES_DAILY_ADJUSTED':
      return adjustedSeriesJsonSchema;
    case 'GLOBAL_QUOTE':
      return globalQuoteJsonSchema;
    case 'OVERVIEW':
      return overviewSchema;
    case 'INCOME_STATEMENT':
    case 'BALANCE_SHEET':
    case 'CASH_FLOW':
      return financialStatementSchema;
    case 'LISTING_STATUS':
      return undefined;
    default:
      return indicatorJsonSchema(fn);
  }
}

function csvSchemaFor(fn: AlphaVantageFunction): z.ZodType | undefined {
  switch (fn) {
    case 'TIME_SERIES_DAILY':
      return dailyCsvRowSchema.array();
    case 'TIME_SERIES_DAILY_ADJUSTED':
      return adjustedCsvRowSchema.array();
    case 'GLOBAL_QUOTE':
      return globalQuoteCsvRowSchema.array().length(1);
    case 'LISTING_STATUS':
      return listingRowSchema.array();
    default:
      return INDICATORS.includes(fn) ? indicatorCsvRowsSchema(fn as IndicatorFunction) : undefined;
  }
}

function fromCsvRows(fn: AlphaVantageFunction, rows: unknown): unknown {
  if (fn === 'TIME_SERIES_DAILY' || fn === 'TIME_SERIES_DAILY_ADJUSTED') {
    return dailySeriesFromCsvRows(rows as AdjustedDailyBar[]);
  }
  if (fn === 'GLOBAL_QUOTE') return (rows as GlobalQuote[])[0];
  return rows;
}

export function interpretResponse<Fn extends AlphaVantageFunction>(
  fn: Fn,
  body: unknown,
): Interpretation<Fn> {
  const classification = classifyResponse(body, fn);
  if (classification.kind !== 'data') return classification;
  const invalid = (issues: readonly z.core.$ZodIssue[]): InvalidData => ({
    kind: 'invalid',
    retryable: false,
    message: new AlphaVantageSchemaError(fn, issues).message,
    issues,
  });
  if (classification.format === 'json') {
    if (fn === 'TIME_SERIES_DAILY') {
      const series = dailySeriesFastPath(classification.body);
      if (series) return { kind: 'data', data: series as ParsedData[Fn] };
    }
    const schema = jsonSchemaFor(fn);
    if (schema === undefined)
      return { kind: 'malformed', retryable: true, message: `${fn} is CSV only, got JSON` };
    const parsed = schema.safeParse(classification.body);
    return parsed.success
      ? { kind: 'data', data: parsed.data as ParsedData[Fn] }
      : invalid(parsed.error.issues);
  }
  const schema = csvSchemaFor(fn);
  if (schema === undefined)
    return { kind: 'malformed', retryable: true, message: `${fn} has no CSV form, got CSV` };
  let records: Record<string, string>[];
  try {
    records = readCsvRecords(classification.body);
  } catch (error) {
    return { kind: 'malformed', retryable: true, message: `unreadable CSV: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(records);
  return parsed.success
    ? { kind: 'data', data: fromCsvRows(fn, parsed.data) as ParsedData[Fn] }
    : invalid(parsed.error.issues);
}

function parseResponse<Fn extends AlphaVantageFunction>(fn: Fn, body: unknown): ParsedData[Fn] {
  const result = interpretResponse(fn, body);
  if (result.kind === 'data') return result.data;
  if (result.kind === 'invalid') throw new AlphaVantageSchemaError(fn, result.issues);
  throw new AlphaVantageResponseError(result);
}

export const parseTimeSeriesDaily = (body: unknown) => parseResponse('TIME_SERIES_DAILY', body);
export const parseGlobalQuote = (body: unknown) => parseResponse('GLOBAL_QUOTE', body);
export const parseOverview = (body: unknown) => parseResponse('OVERVIEW', body);
export const parseIncomeStatement = (body: unknown) => parseResponse('INCOME_STATEMENT', body);
export const parseBalanceSheet = (body: unknown) => parseResponse('BALANCE_SHEET', body);
export const parseCashFlow = (body: unknown) => parseResponse('CASH_FLOW', body);
export const parseListingStatus = (body: unknown) => parseResponse('LISTING_STATUS', body);
export const parseIndicator = <Fn extends IndicatorFunction>(fn: Fn, body: unknown) =>
  parseResponse(fn, body);
