/**
 * TIME_SERIES_DAILY (and TIME_SERIES_DAILY_ADJUSTED) in JSON or CSV form -> typed daily bars, newest
 * first. Bars are taken as AlphaVantage sends them: old captures have days whose low is above the open
 * (later corrected by AlphaVantage), so price consistency is checked by the domain layer, not here.
 */
import * as z from 'zod';
import { datePart, integer, isIsoDate, isoDate, isoDateOrDateTime, numeric, numericValue } from './values.ts';

export interface DailyBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface AdjustedDailyBar extends DailyBar {
  adjustedClose: number;
  dividendAmount: number;
  splitCoefficient: number;
}

export interface TimeSeriesMeta {
  information: string;
  symbol: string;
  /** As sent: a date, or a date and time in older captures. */
  lastRefreshed: string;
  /** The date part of lastRefreshed. */
  lastRefreshedDate: string;
  /** "Compact" or "Full size". */
  outputSize: string;
  timeZone: string;
}

export interface DailySeries<Bar extends DailyBar = DailyBar> {
  /** null for the CSV form, which has no meta data. */
  meta: TimeSeriesMeta | null;
  /** Newest first, one per date. */
  bars: Bar[];
}

/** Meta keys are "1. Information", "2. Symbol" ...; the number prefix is dropped. */
export function stripKeyNumber(key: string): string {
  return key.replace(/^\d+(\.\d+)?[.:]\s*/, '');
}

const metaSchema = z
  .record(z.string(), z.union([z.string(), z.number()]))
  .transform((raw) =>
    Object.fromEntries(Object.entries(raw).map(([key, value]) => [stripKeyNumber(key), String(value)])),
  )
  .pipe(
    z.object({
      Information: z.string(),
      Symbol: z.string().min(1),
      'Last Refreshed': isoDateOrDateTime,
      'Output Size': z.string(),
      'Time Zone': z.string(),
    }),
  )
  .transform(
    (meta): TimeSeriesMeta => ({
      information: meta.Information,
      symbol: meta.Symbol,
      lastRefreshed: meta['Last Refreshed'],
      lastRefreshedDate: datePart(meta['Last Refreshed']),
      outputSize: meta['Output Size'],
      timeZone: meta['Time Zone'],
    }),
  );

const dailyBarValues = z.object({
  '1. open': numeric,
  '2. high': numeric,
  '3. low': numeric,
  '4. close': numeric,
  '5. volume': integer,
});

const adjustedBarValues = z.object({
  '1. open': numeric,
  '2. high': numeric,
  '3. low': numeric,
  '4. close': numeric,
  '5. adjusted close': numeric,
  '6. volume': integer,
  '7. dividend amount': numeric,
  '8. split coefficient': numeric,
});

function newestFirst<Bar extends { date: string }>(bars: Bar[]): Bar[] {
  return bars.sort((left, right) => (left.date < right.date ? 1 : left.date > right.date ? -1 : 0));
}

/** A JSON series body: the meta data, and the bars by date, each read from AlphaVantage's numbered keys. */
function seriesJsonSchema<Values extends z.ZodType, Bar extends DailyBar>(
  barValues: Values,
  toBar: (date: string, values: z.output<Values>) => Bar,
) {
  return z.object({ 'Meta Data': metaSchema, 'Time Series (Daily)': z.record(isoDate, barValues) }).transform(
    (body): DailySeries<Bar> => ({
      meta: body['Meta Data'],
      bars: newestFirst(Object.entries(body['Time Series (Daily)']).map(([date, bar]) => toBar(date, bar))),
    }),
  );
}

/** The prices both daily series number alike: "1. open" to "4. close". */
const prices = (bar: Record<'1. open' | '2. high' | '3. low' | '4. close', number>) => ({
  open: bar['1. open'],
  high: bar['2. high'],
  low: bar['3. low'],
  close: bar['4. close'],
});

export const dailySeriesJsonSchema = seriesJsonSchema(
  dailyBarValues,
  (date, bar): DailyBar => ({ date, ...prices(bar), volume: bar['5. volume'] }),
);

const DAILY_BAR_KEYS = ['1. open', '2. high', '3. low', '4. close', '5. volume'] as const;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The success path of `dailySeriesJsonSchema` in plain code: a full series is thousands of bars of five values
 * each, and zod per value cost 6x a JSON.parse of the body. It applies the schema's checks (calendar-date keys,
 * numbers, whole volumes, the meta data through its schema) and returns the same series; on anything it does not
 * accept it returns undefined, and the caller runs the schema, which reports why.
 */
export function dailySeriesFastPath(body: unknown): DailySeries | undefined {
  if (!isRecord(body)) return undefined;
  const series = body['Time Series (Daily)'];
  if (!isRecord(series)) return undefined;
  const meta = metaSchema.safeParse(body['Meta Data']);
  if (!meta.success) return undefined;
  const bars: DailyBar[] = [];
  for (const date in series) {
    if (!Object.hasOwn(series, date)) continue;
    const bar = series[date];
    if (!isIsoDate(date) || !isRecord(bar)) return undefined;
    const [open, high, low, close, volume] = DAILY_BAR_KEYS.map((key) => numericValue(bar[key]));
    if (
      open === undefined ||
      high === undefined ||
      low === undefined ||
      close === undefined ||
      volume === undefined ||
      !Number.isInteger(volume)
    )
      return undefined;
    bars.push({ date, open, high, low, close, volume });
  }
  return { meta: meta.data, bars: newestFirst(bars) };
}

export const adjustedSeriesJsonSchema = seriesJsonSchema(
  adjustedBarValues,
  (date, bar): AdjustedDailyBar => ({
    date,
    ...prices(bar),
    adjustedClose: bar['5. adjusted close'],
    volume: bar['6. volume'],
    dividendAmount: bar['7. dividend amount'],
    splitCoefficient: bar['8. split coefficient'],
  }),
);

export const dailyCsvRowSchema = z
  .strictObject({
    timestamp: isoDate,
    open: numeric,
    high: numeric,
    low: numeric,
    close: numeric,
    volume: integer,
  })
  .transform(({ timestamp, ...bar }): DailyBar => ({ date: timestamp, ...bar }));

export const adjustedCsvRowSchema = z
  .strictObject({
    timestamp: isoDate,
    open: numeric,
    high: numeric,
    low: numeric,
    close: numeric,
    adjusted_close: numeric,
    volume: integer,
    dividend_amount: numeric,
    split_coefficient: numeric,
  })
  .transform(
    (row): AdjustedDailyBar => ({
      date: row.timestamp,
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      adjustedClose: row.adjusted_close,
      volume: row.volume,
      dividendAmount: row.dividend_amount,
      splitCoefficient: row.split_coefficient,
    }),
  );

export function dailySeriesFromCsvRows<Bar extends DailyBar>(bars: Bar[]): DailySeries<Bar> {
  return { meta: null, bars: newestFirst(bars) };
}
