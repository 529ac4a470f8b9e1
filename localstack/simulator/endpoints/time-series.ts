/**
 * TIME_SERIES_DAILY: the symbol's daily bars, newest first; `compact` = the last 100 bars of `full`
 * (`full` is premium: the router answers the free plan before this runs).
 */

import {
  type ApiAnswer,
  csv,
  csvBody,
  errorMessage,
  jsonBody,
  type LineEnding,
  price,
  rawJson,
} from '../answers.ts';
import * as messages from '../messages.ts';
import type { DailyBar } from '../series.ts';
import type { SymbolRequest } from './request.ts';

export type OutputSize = 'compact' | 'full';
const COMPACT_BARS = 100;

/** TIME_SERIES_DAILY JSON; `bars` ascending, the body lists them newest first. */
function timeSeriesDailyJson(symbol: string, bars: readonly DailyBar[], outputSize: OutputSize): string {
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

function timeSeriesDailyCsv(
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

export function timeSeriesDaily(request: SymbolRequest): ApiAnswer {
  const bars = request.series();
  if (bars.length === 0) return errorMessage(messages.invalidApiCall('TIME_SERIES_DAILY'));
  const outputSize = request.params.get('outputsize') === 'full' ? 'full' : 'compact';
  return request.wantsCsv
    ? csv(timeSeriesDailyCsv(bars, outputSize, request.lineEnding))
    : rawJson(timeSeriesDailyJson(request.symbol, bars, outputSize));
}
