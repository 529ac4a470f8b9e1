/**
 * Response bodies in AlphaVantage's exact wire format: JSON pretty-printed with a 4-space indent and no
 * trailing newline, keys in AlphaVantage's order; prices as strings padded to 4 decimals, volumes as
 * integer strings; CSV with a header row and a line end after every row (LF today, CRLF in older
 * captures, so the line end is a parameter).
 */
import { bbands, ema, type IndicatorValues, macd, rsi, sma } from './indicators.ts';
import type { DailyBar, Interval } from './series.ts';
import type { Listing } from './universe.ts';

export type LineEnding = '\n' | '\r\n';

export function jsonBody(value: unknown): string {
  return JSON.stringify(value, null, 4);
}

const price = (value: number) => value.toFixed(4);

function csvBody(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  lineEnding: LineEnding,
): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}${lineEnding}`).join('');
}

/** Quotes a field only when it needs it, as AlphaVantage's writer does. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export type OutputSize = 'compact' | 'full';
export const COMPACT_BARS = 100;

/** TIME_SERIES_DAILY JSON; `bars` ascending, the body lists them newest first. */
export function timeSeriesDailyJson(
  symbol: string,
  bars: readonly DailyBar[],
  outputSize: OutputSize,
): string {
  const selected = outputSize === 'compact' ? bars.slice(-COMPACT_BARS) : bars;
  const series: Record<string, Record<string, string>> = {};
  for (let index = selected.length - 1; index >= 0; index -= 1) {
    const bar = selected[index];
    if (bar === undefined) continue;
    series[bar.date] = {
      '1. open': price(bar.open),
      '2. high': price(bar.high),
      '3. low': price(bar.low),
      '4. close': price(bar.close),
      '5. volume': String(bar.volume),
    };
  }
  return jsonBody({
    'Meta Data': {
      '1. Information': 'Daily Prices (open, high, low, close) and Volumes',
      '2. Symbol': symbol,
      '3. Last Refreshed': bars.at(-1)?.date ?? '',
      '4. Output Size': outputSize === 'compact' ? 'Compact' : 'Full size',
      '5. Time Zone': 'US/Eastern',
    },
    'Time Series (Daily)': series,
  });
}

export function timeSeriesDailyCsv(
  bars: readonly DailyBar[],
  outputSize: OutputSize,
  lineEnding: LineEnding,
): string {
  const selected = outputSize === 'compact' ? bars.slice(-COMPACT_BARS) : bars;
  const rows = [...selected]
    .reverse()
    .map((bar) => [
      bar.date,
      price(bar.open),
      price(bar.high),
      price(bar.low),
      price(bar.close),
      String(bar.volume),
    ]);
  return csvBody(['timestamp', 'open', 'high', 'low', 'close', 'volume'], rows, lineEnding);
}

interface QuoteFields {
  open: string;
  high: string;
  low: string;
  price: string;
  volume: string;
  latestDay: string;
  previousClose: string;
  change: string;
  changePercent: string;
}

function quoteFields(bars: readonly DailyBar[]): QuoteFields | undefined {
  const last = bars.at(-1);
  if (last === undefined) return undefined;
  const previousClose = bars.at(-2)?.close ?? last.open;
  const change = last.close - previousClose;
  return {
    open: price(last.open),
    high: price(last.high),
    low: price(last.low),
    price: price(last.close),
    volume: String(last.volume),
    latestDay: last.date,
    previousClose: price(previousClose),
    change: change.toFixed(4),
    changePercent: `${((change / previousClose) * 100).toFixed(4)}%`,
  };
}

/** GLOBAL_QUOTE JSON: the latest daily bar and the change against the previous close. */
export function globalQuoteJson(symbol: string, bars: readonly DailyBar[]): string {
  const quote = quoteFields(bars);
  if (quote === undefined) return jsonBody({ 'Global Quote': {} });
  return jsonBody({
    'Global Quote': {
      '01. symbol': symbol,
      '02. open': quote.open,
      '03. high': quote.high,
      '04. low': quote.low,
      '05. price': quote.price,
      '06. volume': quote.volume,
      '07. latest trading day': quote.latestDay,
      '08. previous close': quote.previousClose,
      '09. change': quote.change,
      '10. change percent': quote.changePercent,
    },
  });
}

export function globalQuoteCsv(symbol: string, bars: readonly DailyBar[], lineEnding: LineEnding): string {
  const header = [
    'symbol',
    'open',
    'high',
    'low',
    'price',
    'volume',
    'latestDay',
    'previousClose',
    'change',
    'changePercent',
  ];
  const quote = quoteFields(bars);
  if (quote === undefined) return csvBody(header, [], lineEnding);
  const row = [
    symbol,
    quote.open,
    quote.high,
    quote.low,
    quote.price,
    quote.volume,
    quote.latestDay,
    quote.previousClose,
    quote.change,
    quote.changePercent,
  ];
  return csvBody(header, [row], lineEnding);
}

export type IndicatorFunction = 'SMA' | 'EMA' | 'RSI' | 'MACD' | 'BBANDS';
export type SeriesType = 'close' | 'open' | 'high' | 'low';

export interface IndicatorParameters {
  interval: Interval;
  seriesType: SeriesType;
  /** SMA, EMA, RSI, BBANDS */
  timePeriod: number;
  fastPeriod: number;
  slowPeriod: number;
  signalPeriod: number;
  deviationsUp: number;
  deviationsDown: number;
}

/** Column name -> values, in AlphaVantage's JSON key order for the function. */
function indicatorColumns(
  fn: IndicatorFunction,
  values: readonly number[],
  parameters: IndicatorParameters,
): [string, IndicatorValues][] {
  switch (fn) {
    case 'SMA':
      return [['SMA', sma(values, parameters.timePeriod)]];
    case 'EMA':
      return [['EMA', ema(values, parameters.timePeriod)]];
    case 'RSI':
      return [['RSI', rsi(values, parameters.timePeriod)]];
    case 'MACD': {
      const result = macd(values, parameters.fastPeriod, parameters.slowPeriod, parameters.signalPeriod);
      return [
        ['MACD_Hist', result.histogram],
        ['MACD_Signal', result.signal],
        ['MACD', result.macd],
      ];
    }
    case 'BBANDS': {
      const result = bbands(
        values,
        parameters.timePeriod,
        parameters.deviationsUp,
        parameters.deviationsDown,
      );
      return [
        ['Real Lower Band', result.lower],
        ['Real Upper Band', result.upper],
        ['Real Middle Band', result.middle],
      ];
    }
  }
}

/** CSV column order differs from the JSON key order for MACD and BBANDS (see the 2026 CSV captures). */
const CSV_COLUMN_ORDER: Record<IndicatorFunction, readonly string[]> = {
  SMA: ['SMA'],
  EMA: ['EMA'],
  RSI: ['RSI'],
  MACD: ['MACD', 'MACD_Hist', 'MACD_Signal'],
  BBANDS: ['Real Lower Band', 'Real Middle Band', 'Real Upper Band'],
};

const INDICATOR_NAMES: Record<IndicatorFunction, string> = {
  SMA: 'Simple Moving Average (SMA)',
  EMA: 'Exponential Moving Average (EMA)',
  RSI: 'Relative Strength Index (RSI)',
  MACD: 'Moving Average Convergence/Divergence (MACD)',
  BBANDS: 'Bollinger Bands (BBANDS)',
};

function indicatorMeta(
  fn: IndicatorFunction,
  symbol: string,
  lastRefreshed: string,
  parameters: IndicatorParameters,
): Record<string, string | number> {
  const head = {
    '1: Symbol': symbol,
    '2: Indicator': INDICATOR_NAMES[fn],
    '3: Last Refreshed': lastRefreshed,
    '4: Interval': parameters.interval,
  };
  if (fn === 'MACD') {
    return {
      ...head,
      '5.1: Fast Period': parameters.fastPeriod,
      '5.2: Slow Period': parameters.slowPeriod,
      '5.3: Signal Period': parameters.signalPeriod,
      '6: Series Type': parameters.seriesType,
      '7: Time Zone': 'US/Eastern',
    };
  }
  if (fn === 'BBANDS') {
    return {
      ...head,
      '5: Time Period': parameters.timePeriod,
      '6.1: Deviation multiplier for upper band': parameters.deviationsUp,
      '6.2: Deviation multiplier for lower band': parameters.deviationsDown,
      '6.3: MA Type': 0,
      '7: Series Type': parameters.seriesType,
      '8: Time Zone': 'US/Eastern',
    };
  }
  return {
    ...head,
    '5: Time Period': parameters.timePeriod,
    '6: Series Type': parameters.seriesType,
    '7: Time Zone': 'US/Eastern',
  };
}

/** Rows (newest first) of an indicator computed on `bars` (ascending, already aggregated to the interval). */
function indicatorRows(fn: IndicatorFunction, bars: readonly DailyBar[], parameters: IndicatorParameters) {
  const values = bars.map((bar) => bar[parameters.seriesType]);
  const columns = indicatorColumns(fn, values, parameters);
  const rows: { date: string; values: Map<string, number> }[] = [];
  for (let index = bars.length - 1; index >= 0; index -= 1) {
    const bar = bars[index];
    if (bar === undefined) continue;
    const row = new Map<string, number>();
    for (const [name, series] of columns) {
      const value = series[index];
      if (value !== undefined) row.set(name, value);
    }
    if (row.size === columns.length) rows.push({ date: bar.date, values: row });
  }
  return rows;
}

export function indicatorJson(
  fn: IndicatorFunction,
  symbol: string,
  bars: readonly DailyBar[],
  parameters: IndicatorParameters,
): string {
  const series: Record<string, Record<string, string>> = {};
  for (const row of indicatorRows(fn, bars, parameters)) {
    const entry: Record<string, string> = {};
    for (const [name, value] of row.values) entry[name] = value.toFixed(4);
    series[row.date] = entry;
  }
  return jsonBody({
    'Meta Data': indicatorMeta(fn, symbol, bars.at(-1)?.date ?? '', parameters),
    [`Technical Analysis: ${fn}`]: series,
  });
}

export function indicatorCsv(
  fn: IndicatorFunction,
  bars: readonly DailyBar[],
  parameters: IndicatorParameters,
  lineEnding: LineEnding,
): string {
  const order = CSV_COLUMN_ORDER[fn];
  const rows = indicatorRows(fn, bars, parameters).map((row) => [
    row.date,
    ...order.map((name) => (row.values.get(name) ?? Number.NaN).toFixed(4)),
  ]);
  return csvBody(['time', ...order], rows, lineEnding);
}

export function listingStatusCsv(listings: readonly Listing[], lineEnding: LineEnding): string {
  const rows = listings.map((listing) => [
    listing.symbol,
    listing.name,
    listing.exchange,
    listing.assetType,
    listing.ipoDate,
    listing.delistingDate ?? 'null',
    listing.status,
  ]);
  return csvBody(
    ['symbol', 'name', 'exchange', 'assetType', 'ipoDate', 'delistingDate', 'status'],
    rows,
    lineEnding,
  );
}
