/** AlphaVantage response parsing: pure functions from a response body to typed data. */
export * from './classify.ts';
export * from './errors.ts';
export * from './parse.ts';
export type { DailyBar } from './time-series.ts';
