/**
 * Technical indicators (SMA, EMA, RSI, MACD, BBANDS) in JSON or CSV form -> typed points, newest first.
 * Meta keys carry a number and a colon ("1: Symbol", "5.1: Fast Period") and numeric parameters come as
 * JSON numbers; the time zone reads "US/Eastern" or, in older captures, "US/Eastern Time". Series keys
 * are dates, except that a capture taken during the day may start with "YYYY-MM-DD HH:MM:SS": `date`
 * is always the calendar date, `timestamp` the key as sent.
 */
import * as z from 'zod';
import type { IndicatorFunction } from './classify.ts';
import { stripKeyNumber } from './time-series.ts';
import { datePart, isoDateOrDateTime, numeric } from './values.ts';

export interface SingleValue {
  value: number;
}
export interface MacdValue {
  macd: number;
  signal: number;
  histogram: number;
}
export interface BollingerValue {
  lower: number;
  middle: number;
  upper: number;
}
export interface IndicatorValueOf {
  SMA: SingleValue;
  EMA: SingleValue;
  RSI: SingleValue;
  MACD: MacdValue;
  BBANDS: BollingerValue;
}

export type IndicatorPoint<Fn extends IndicatorFunction> = {
  date: string;
  timestamp: string;
} & IndicatorValueOf[Fn];

export interface IndicatorMeta {
  symbol: string;
  indicator: string;
  lastRefreshed: string;
  lastRefreshedDate: string;
  interval: string;
  seriesType: string | null;
  timePeriod: number | null;
  timeZone: string;
  /** Every meta entry by its name without the number prefix ("Fast Period": 12, "MA Type": 0 ...). */
  parameters: Record<string, string | number>;
}

export interface IndicatorSeries<Fn extends IndicatorFunction> {
  function: Fn;
  /** null for the CSV form, which has no meta data. */
  meta: IndicatorMeta | null;
  points: IndicatorPoint<Fn>[];
}

/** AlphaVantage column name -> our field name, per function. */
const INDICATOR_COLUMNS: { [Fn in IndicatorFunction]: Record<string, keyof IndicatorValueOf[Fn]> } = {
  SMA: { SMA: 'value' },
  EMA: { EMA: 'value' },
  RSI: { RSI: 'value' },
  MACD: { MACD: 'macd', MACD_Signal: 'signal', MACD_Hist: 'histogram' },
  BBANDS: { 'Real Lower Band': 'lower', 'Real Middle Band': 'middle', 'Real Upper Band': 'upper' },
};

/** Meta entries keyed by name without the number prefix; non-objects are left for the schema to reject. */
function stripMetaKeys(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [stripKeyNumber(key), value]));
}

const indicatorMetaSchema = z.preprocess(
  stripMetaKeys,
  z
    .looseObject({
      Symbol: z.string().min(1),
      Indicator: z.string(),
      'Last Refreshed': isoDateOrDateTime,
      Interval: z.string(),
      'Time Zone': z.string(),
      'Series Type': z.string().optional(),
      'Time Period': numeric.optional(),
    })
    .catchall(z.union([z.string(), z.number()]))
    .transform(
      (meta): IndicatorMeta => ({
        symbol: meta.Symbol,
        indicator: meta.Indicator,
        lastRefreshed: meta['Last Refreshed'],
        lastRefreshedDate: datePart(meta['Last Refreshed']),
        interval: meta.Interval,
        seriesType: meta['Series Type'] ?? null,
        timePeriod: meta['Time Period'] ?? null,
        timeZone: meta['Time Zone'],
        parameters: meta as Record<string, string | number>,
      }),
    ),
);

function columnShape(fn: IndicatorFunction) {
  return Object.fromEntries(Object.keys(INDICATOR_COLUMNS[fn]).map((column) => [column, numeric]));
}

function toValues<Fn extends IndicatorFunction>(fn: Fn, row: Record<string, unknown>): IndicatorValueOf[Fn] {
  const values: Record<string, number> = {};
  for (const [column, field] of Object.entries(INDICATOR_COLUMNS[fn] as Record<string, string>)) {
    values[field] = row[column] as number;
  }
  return values as unknown as IndicatorValueOf[Fn];
}

/** Newest first; when a date-time key and a date key fall on one day, the later one wins. */
function toPoints<Fn extends IndicatorFunction>(
  entries: [string, IndicatorValueOf[Fn]][],
): IndicatorPoint<Fn>[] {
  const byDate = new Map<string, IndicatorPoint<Fn>>();
  for (const [timestamp, values] of entries) {
    const date = datePart(timestamp);
    const existing = byDate.get(date);
    if (existing === undefined || existing.timestamp < timestamp)
      byDate.set(date, { date, timestamp, ...values });
  }
  return [...byDate.values()].sort((left, right) => (left.date < right.date ? 1 : -1));
}

export function indicatorJsonSchema<Fn extends IndicatorFunction>(fn: Fn) {
  const seriesKey = `Technical Analysis: ${fn}`;
  return z
    .object({
      'Meta Data': indicatorMetaSchema,
      [seriesKey]: z.record(isoDateOrDateTime, z.object(columnShape(fn))),
    })
    .transform(
      (body): IndicatorSeries<Fn> => ({
        function: fn,
        meta: body['Meta Data'] as IndicatorMeta,
        points: toPoints(
          Object.entries(body[seriesKey] as Record<string, Record<string, unknown>>).map(
            ([timestamp, row]) => [timestamp, toValues(fn, row)],
          ),
        ),
      }),
    );
}

/** The CSV form: header `time,<columns>`, no meta data. */
export function indicatorCsvRowsSchema<Fn extends IndicatorFunction>(fn: Fn) {
  return z.array(z.strictObject({ time: isoDateOrDateTime, ...columnShape(fn) })).transform(
    (rows): IndicatorSeries<Fn> => ({
      function: fn,
      meta: null,
      points: toPoints(rows.map((row) => [row.time as string, toValues(fn, row)])),
    }),
  );
}
