/** GLOBAL_QUOTE (JSON or CSV) -> typed quote. */
import * as z from 'zod';
import { integer, isoDate, numeric, percent } from './values.ts';

export interface GlobalQuote {
  symbol: string;
  open: number;
  high: number;
  low: number;
  price: number;
  volume: number;
  latestTradingDay: string;
  previousClose: number;
  change: number;
  /** In percent, as sent: "-2.0379%" -> -2.0379. */
  changePercent: number;
}

export const globalQuoteJsonSchema = z
  .object({
    'Global Quote': z.object({
      '01. symbol': z.string().min(1),
      '02. open': numeric,
      '03. high': numeric,
      '04. low': numeric,
      '05. price': numeric,
      '06. volume': integer,
      '07. latest trading day': isoDate,
      '08. previous close': numeric,
      '09. change': numeric,
      '10. change percent': percent,
    }),
  })
  .transform(
    ({ 'Global Quote': quote }): GlobalQuote => ({
      symbol: quote['01. symbol'],
      open: quote['02. open'],
      high: quote['03. high'],
      low: quote['04. low'],
      price: quote['05. price'],
      volume: quote['06. volume'],
      latestTradingDay: quote['07. latest trading day'],
      previousClose: quote['08. previous close'],
      change: quote['09. change'],
      changePercent: quote['10. change percent'],
    }),
  );

export const globalQuoteCsvRowSchema = z
  .strictObject({
    symbol: z.string().min(1),
    open: numeric,
    high: numeric,
    low: numeric,
    price: numeric,
    volume: integer,
    latestDay: isoDate,
    previousClose: numeric,
    change: numeric,
    changePercent: percent,
  })
  .transform(
    (row): GlobalQuote => ({
      symbol: row.symbol,
      open: row.open,
      high: row.high,
      low: row.low,
      price: row.price,
      volume: row.volume,
      latestTradingDay: row.latestDay,
      previousClose: row.previousClose,
      change: row.change,
      changePercent: row.changePercent,
    }),
  );
