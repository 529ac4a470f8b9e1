/** GLOBAL_QUOTE: the latest daily bar and its change against the previous close. */
import { type ApiAnswer, csv, csvBody, json, jsonBody, type LineEnding, price, rawJson } from '../answers.ts';
import type { DailyBar } from '../series.ts';
import type { SymbolRequest } from './request.ts';

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
function globalQuoteJson(symbol: string, bars: readonly DailyBar[]): string {
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

function globalQuoteCsv(symbol: string, bars: readonly DailyBar[], lineEnding: LineEnding): string {
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

export function globalQuote(request: SymbolRequest): ApiAnswer {
  const bars = request.series();
  // AlphaVantage's answer for a symbol it has no quote for.
  if (bars.length === 0) return json({ 'Global Quote': {} }, 'empty');
  return request.wantsCsv
    ? csv(globalQuoteCsv(request.symbol, bars, request.lineEnding))
    : rawJson(globalQuoteJson(request.symbol, bars));
}
