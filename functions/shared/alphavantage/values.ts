/**
 * Zod building blocks for AlphaVantage's value formats: every number arrives as a string ("204.0800",
 * "3205828", "-0.5852%"), missing figures as "None" (sometimes "-" or ""), dates as YYYY-MM-DD and a few
 * timestamps as "YYYY-MM-DD HH:MM:SS".
 */
import * as z from 'zod';

const NUMBER_PATTERN = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** How AlphaVantage writes "no value". */
export const MISSING_VALUES: ReadonlySet<string> = new Set(['None', '-', '', 'null', 'NaN']);

export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function isIsoDateTime(text: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  return (
    match !== null &&
    isIsoDate(match[1] ?? '') &&
    Number(match[2]) < 24 &&
    Number(match[3]) < 60 &&
    Number(match[4]) < 60
  );
}

/** A calendar date, "YYYY-MM-DD". */
export const isoDate = z.string().refine(isIsoDate, { message: 'expected a YYYY-MM-DD calendar date' });

/** A date or "YYYY-MM-DD HH:MM:SS" (some captures carry the time of the last refresh). */
export const isoDateOrDateTime = z.string().refine((text) => isIsoDate(text) || isIsoDateTime(text), {
  message: 'expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS',
});

/** A number sent as a string (or, in indicator meta data, as a JSON number). */
export const numeric = z.union([
  z.number().refine(Number.isFinite, { message: 'expected a finite number' }),
  z
    .string()
    .trim()
    .refine((text) => NUMBER_PATTERN.test(text), { message: 'expected a number' })
    .transform(Number),
]);

/**
 * `numeric` without zod, for the success path of large bodies: the number `numeric` would produce, or undefined
 * where `numeric` would report an issue.
 */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return NUMBER_PATTERN.test(text) ? Number(text) : undefined;
}

/** A whole number (volumes, share counts). */
export const integer = numeric.refine(Number.isInteger, { message: 'expected a whole number' });

/** A number, or null where AlphaVantage says "None" / "-" / "". */
export const numericOrNone = z.union([
  z
    .string()
    .refine((text) => MISSING_VALUES.has(text.trim()))
    .transform(() => null),
  numeric,
]);

/** A date, or null for "None" (and AlphaVantage's placeholder "0000-00-00"). */
export const dateOrNone = z.union([
  z
    .string()
    .refine((text) => MISSING_VALUES.has(text.trim()) || text === '0000-00-00')
    .transform(() => null),
  isoDate,
]);

/** Text, or null for "None" / "". */
export const textOrNone = z.string().transform((text) => (MISSING_VALUES.has(text.trim()) ? null : text));

/** "0.5066%" -> 0.5066 (percent units, as sent). */
export const percent = z
  .string()
  .trim()
  .regex(/^[-+]?(\d+\.?\d*|\.\d+)%$/, { message: 'expected a percentage like "-2.0379%"' })
  .transform((text) => Number(text.slice(0, -1)));

/** The calendar-date part of a series key that may carry a time ("2018-08-31 12:38:59"). */
export function datePart(dateOrDateTime: string): string {
  return dateOrDateTime.slice(0, 10);
}
