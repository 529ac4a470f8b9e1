/**
 * Technical indicators computed from stored daily bars, so an indicator costs no AlphaVantage call. The maths is
 * TA-Lib's, which AlphaVantage serves (./indicators.ts, checked against AlphaVantage's own responses).
 *
 * AlphaVantage computes over a symbol's whole history; EMA, RSI and MACD depend on it through their seed, whose
 * weight decays geometrically. `barsNeeded` reads enough bars before the points kept for that weight to fall
 * below AlphaVantage's 4-decimal rounding, so a few hundred bars reproduce its values without reading decades.
 */
import type { IndicatorSpec } from '../../../model/messages.ts';
import { bbands, ema, type IndicatorValues, macd, rsi, sma } from './indicators.ts';

/** One stored daily bar (the daily-prices table holds more; these are what series types read). */
export interface PriceBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** A computed point in the shape the indicators table stores for AlphaVantage's points (newest first). */
export type ComputedPoint = { date: string } & Record<string, number>;

/** MACD's periods: AlphaVantage's defaults, which Horton's indicator settings do not override. */
const MACD_PERIODS = { fast: 12, slow: 26, signal: 9 } as const;

/**
 * Bars before the first kept point that make the seed's weight negligible: an EMA of period n keeps
 * (1 - 2/(n+1))^k of its seed after k bars, Wilder's RSI smoothing (1 - 1/n)^k; 8(n+1) and 16n bars bring both
 * below 1e-7 of the seed's error, under the 0.00005 that AlphaVantage's 4 decimals show.
 */
function warmUpBars(spec: IndicatorSpec): number {
  switch (spec.function) {
    case 'SMA':
    case 'BBANDS':
      return spec.timePeriod - 1;
    case 'EMA':
      return 8 * (spec.timePeriod + 1);
    case 'RSI':
      return 16 * spec.timePeriod;
    case 'MACD':
      return 8 * (MACD_PERIODS.slow + 1) + 8 * (MACD_PERIODS.signal + 1);
  }
}

/** How many of the newest stored bars to read for `points` computed points. */
export function barsNeeded(spec: IndicatorSpec, points: number): number {
  return warmUpBars(spec) + points;
}

/** AlphaVantage serves indicator values with 4 decimals; computed ones are stored the same way. */
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * The newest `points` values of the indicator over `bars` (ascending by date), newest first, with the field
 * names of AlphaVantage's parsed points (value; macd/signal/histogram; lower/middle/upper).
 */
export function computeIndicator(
  spec: IndicatorSpec,
  bars: readonly PriceBar[],
  points: number,
): ComputedPoint[] {
  const values = bars.map((bar) => bar[spec.seriesType]);
  const columns = ((): Record<string, IndicatorValues> => {
    switch (spec.function) {
      case 'SMA':
        return { value: sma(values, spec.timePeriod) };
      case 'EMA':
        return { value: ema(values, spec.timePeriod) };
      case 'RSI':
        return { value: rsi(values, spec.timePeriod) };
      case 'MACD': {
        const result = macd(values, MACD_PERIODS.fast, MACD_PERIODS.slow, MACD_PERIODS.signal);
        return { macd: result.macd, signal: result.signal, histogram: result.histogram };
      }
      case 'BBANDS': {
        const result = bbands(values, spec.timePeriod);
        return { lower: result.lower, middle: result.middle, upper: result.upper };
      }
    }
  })();
  const computed: ComputedPoint[] = [];
  for (let index = bars.length - 1; index >= 0 && computed.length < points; index -= 1) {
    const point: ComputedPoint = { date: (bars[index] as PriceBar).date } as ComputedPoint;
    let defined = true;
    for (const [field, series] of Object.entries(columns)) {
      const value = series[index];
      if (value === undefined) defined = false;
      else point[field] = round4(value);
    }
    if (!defined) break;
    computed.push(point);
  }
  return computed;
}
