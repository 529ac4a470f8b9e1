/** The AlphaVantage functions the simulator answers (the router's and the fixtures' one list). */
// Written again beside the product's ALPHAVANTAGE_FUNCTIONS on purpose: the simulator imports nothing of the
// product (docs/decisions/0007-folder-layering.md): it stays a second, independent reading of AlphaVantage.
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
