import { DomainValidationError } from './errors.ts';

/**
 * Calendar dates and instants as plain strings.
 *
 * Trading dates travel as `YYYY-MM-DD` strings end to end (AlphaVantage keys, DynamoDB sort keys, Kafka
 * payloads). Keeping them as strings avoids time-zone shifts: a `Date` built from `2024-03-01` is midnight
 * UTC, which is the previous day in US/Eastern, the exchange's zone. Strict validation matters because
 * `Date.parse` is lenient (it accepts `2024-02-30` and hour 24) and because string comparison of valid
 * `YYYY-MM-DD` values is chronological, which the rest of the domain relies on.
 */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * An instant with an explicit offset. A timestamp without `Z` or `±HH:MM` would be read in the local zone
 * of whichever machine parses it (a Lambda in UTC, a laptop elsewhere), so ordering would depend on where
 * the code runs; we refuse it instead.
 */
const ISO_INSTANT =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

const MS_PER_DAY = 86_400_000;

/** True when `value` is a real calendar date written `YYYY-MM-DD` (so `2023-02-29` is rejected). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

/** Days in a month of the proleptic Gregorian calendar (arithmetic, no `Date` allocation: this is hot). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Returns `value` when it is a valid `YYYY-MM-DD` date, otherwise throws naming the field (`what`). */
export function assertIsoDate(value: unknown, what: string): string {
  if (!isIsoDate(value)) {
    throw new DomainValidationError(
      `${what} must be a calendar date formatted YYYY-MM-DD, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** The calendar year of a valid `YYYY-MM-DD` date. */
export function yearOf(isoDate: string): number {
  return Number(isoDate.slice(0, 4));
}

/**
 * Parses an ISO-8601 instant that carries an explicit offset and returns epoch milliseconds.
 * Throws `DomainValidationError` for anything else (see `ISO_INSTANT` for why the offset is required).
 */
export function parseIsoInstant(value: unknown, what: string): number {
  if (typeof value === 'string') {
    const match = ISO_INSTANT.exec(value);
    if (match && isIsoDate(match[1])) {
      const epochMs = Date.parse(value);
      if (Number.isFinite(epochMs)) return epochMs;
    }
  }
  throw new DomainValidationError(
    `${what} must be an ISO-8601 timestamp with an offset (e.g. 2024-03-01T21:00:00Z), got ${describeValue(value)}`,
  );
}

/**
 * Number of Monday-to-Friday dates `d` with `fromExclusive < d <= toInclusive` (0 when `to` is not after
 * `from`). Exchange holidays are deliberately not modelled: the count is an upper bound on trading days,
 * which errs towards "the gap is too big" and therefore towards warning rather than silently losing data.
 */
export function countWeekdaysBetween(fromExclusive: string, toInclusive: string): number {
  const from = epochDay(assertIsoDate(fromExclusive, 'fromExclusive'));
  const to = epochDay(assertIsoDate(toInclusive, 'toInclusive'));
  if (to <= from) return 0;
  const days = to - from;
  let weekdays = Math.floor(days / 7) * 5;
  // Walk the remaining (< 7) days; 1970-01-01 (epoch day 0) was a Thursday, so weekday = (day + 4) mod 7.
  for (let day = from + Math.floor(days / 7) * 7 + 1; day <= to; day++) {
    const weekday = (((day + 4) % 7) + 7) % 7; // 0 = Sunday ... 6 = Saturday
    if (weekday !== 0 && weekday !== 6) weekdays++;
  }
  return weekdays;
}

function epochDay(isoDate: string): number {
  return (
    Date.UTC(yearOf(isoDate), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10))) / MS_PER_DAY
  );
}

/** Renders a rejected value for an error message without dumping large objects. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}
