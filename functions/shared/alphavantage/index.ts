/** AlphaVantage response parsing: pure functions from a response body to typed data. */
export * from './classify.ts';
export * from './errors.ts';
export type { CompanyOverview, FinancialReport, FinancialStatement } from './fundamentals.ts';
export { OVERVIEW_KEYS, STATEMENT_FIELD_ALIASES } from './fundamentals.ts';
export type { GlobalQuote } from './global-quote.ts';
export type { IndicatorMeta, IndicatorPoint, IndicatorSeries, IndicatorValueOf } from './indicators.ts';
export type { Listing } from './listing-status.ts';
export * from './parse.ts';
export type { AdjustedDailyBar, DailyBar, DailySeries, TimeSeriesMeta } from './time-series.ts';
