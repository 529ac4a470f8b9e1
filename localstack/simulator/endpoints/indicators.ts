/**
 * SMA, EMA, RSI, MACD, BBANDS on the symbol's bars (aggregated to the interval, keyed by the period's last
 * trading day), computed by the simulator's own maths (../indicators.ts), formatted as AlphaVantage does.
 */

import {
  type ApiAnswer,
  csv,
  csvBody,
  errorMessage,
  jsonBody,
  type LineEnding,
  rawJson,
} from '../answers.ts';
import { bbands, ema, type IndicatorValues, macd, rsi, sma } from '../indicators.ts';
import * as messages from '../messages.ts';
import { aggregateBars, type DailyBar, type Interval } from '../series.ts';
import type { SymbolRequest } from './request.ts';

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

function indicatorJson(
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

function indicatorCsv(
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

export function indicator(fn: IndicatorFunction, request: SymbolRequest): ApiAnswer {
  const parameters = indicatorParameters(fn, request.params);
  const bars = parameters ? request.series() : [];
  if (parameters === undefined || bars.length === 0) return errorMessage(messages.invalidApiCall(fn));
  const aggregated = aggregateBars(bars, parameters.interval);
  return request.wantsCsv
    ? csv(indicatorCsv(fn, aggregated, parameters, request.lineEnding))
    : rawJson(indicatorJson(fn, request.symbol, aggregated, parameters));
}
