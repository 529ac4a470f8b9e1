/**
 * NYSE trading calendar: weekdays minus exchange holidays and unscheduled closures.
 *
 * The holiday RULES are written out here (a dozen lines) instead of taken from a package: the npm
 * candidates either cover federal holidays (not the exchange's: Good Friday is an NYSE holiday, Columbus
 * Day is not) or work on local-time Date objects, which shifts days in non-US time zones. The rules are
 * checked day by day from 1990 to 2035 against the simulator's independent calendar
 * (test/unit/simulator-independence.test.ts), which test/unit/simulator-calendar.test.ts checks against every date
 * of real AlphaVantage daily series in whole years holding each special closure; a missing closure fails there.
 *
 * All dates here are ISO `YYYY-MM-DD` strings and all arithmetic is in UTC, so the host time zone never
 * matters.
 */
import { wallClock } from '../schedule-expression.ts';

/** Unscheduled full-day closures since 1999 (the synthetic history starts in November 1999). */
const SPECIAL_CLOSURES: ReadonlySet<string> = new Set([
  '2001-09-11', // September 11 attacks: closed 11-14 September 2001
  '2001-09-12',
  '2001-09-13',
  '2001-09-14',
  '2004-06-11', // National day of mourning, President Reagan
  '2007-01-02', // National day of mourning, President Ford
  '2012-10-29', // Hurricane Sandy
  '2012-10-30',
  '2018-12-05', // National day of mourning, President G. H. W. Bush
  '2025-01-09', // National day of mourning, President Carter
]);

const DAY_MS = 86_400_000;

export function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function parseIsoDate(isoDate: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) throw new Error(`not an ISO date: ${isoDate}`);
  const date = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || toIsoDate(date) !== isoDate)
    throw new Error(`not a calendar date: ${isoDate}`);
  return date;
}

export function addDays(isoDate: string, days: number): string {
  return toIsoDate(new Date(parseIsoDate(isoDate).getTime() + days * DAY_MS));
}

/** 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(isoDate: string): number {
  return parseIsoDate(isoDate).getUTCDay();
}

function isoFromParts(year: number, monthIndex: number, day: number): string {
  return toIsoDate(new Date(Date.UTC(year, monthIndex, day)));
}

/** The n-th (1-based) given weekday of a month; n = -1 means the last one. */
function nthWeekday(year: number, monthIndex: number, weekday: number, n: number): string {
  if (n > 0) {
    const firstWeekday = new Date(Date.UTC(year, monthIndex, 1)).getUTCDay();
    const day = 1 + ((weekday - firstWeekday + 7) % 7) + (n - 1) * 7;
    return isoFromParts(year, monthIndex, day);
  }
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0));
  const back = (lastDay.getUTCDay() - weekday + 7) % 7;
  return isoFromParts(year, monthIndex, lastDay.getUTCDate() - back);
}

/** Gregorian Easter Sunday (anonymous Gregorian / Meeus-Jones-Butcher algorithm). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoFromParts(year, month - 1, day);
}

/**
 * A fixed-date holiday as the exchange observes it: Sunday moves to Monday, Saturday to Friday —
 * except New Year's Day on a Saturday, which is not made up on the Friday before (NYSE Rule 7.2:
 * that Friday closes the previous year's books).
 */
function observed(isoDate: string, allowFridayBefore = true): string | undefined {
  const weekday = dayOfWeek(isoDate);
  if (weekday === 0) return addDays(isoDate, 1);
  if (weekday === 6) return allowFridayBefore ? addDays(isoDate, -1) : undefined;
  return isoDate;
}

/** NYSE holidays (regular rules plus special closures) of one year, sorted. */
export function nyseHolidays(year: number): string[] {
  const holidays = [
    observed(isoFromParts(year, 0, 1), false), // New Year's Day
    nthWeekday(year, 0, 1, 3), // Martin Luther King Jr. Day (NYSE closes since 1998)
    nthWeekday(year, 1, 1, 3), // Washington's Birthday
    addDays(easterSunday(year), -2), // Good Friday
    nthWeekday(year, 4, 1, -1), // Memorial Day
    year >= 2022 ? observed(isoFromParts(year, 5, 19)) : undefined, // Juneteenth (NYSE closes since 2022)
    observed(isoFromParts(year, 6, 4)), // Independence Day
    nthWeekday(year, 8, 1, 1), // Labor Day
    nthWeekday(year, 10, 4, 4), // Thanksgiving Day
    observed(isoFromParts(year, 11, 25)), // Christmas Day
  ].filter((date): date is string => date !== undefined);
  for (const closure of SPECIAL_CLOSURES) if (closure.startsWith(`${year}-`)) holidays.push(closure);
  return [...new Set(holidays)].sort();
}

const holidayCache = new Map<number, ReadonlySet<string>>();

export function isNyseHoliday(isoDate: string): boolean {
  const year = Number(isoDate.slice(0, 4));
  let holidays = holidayCache.get(year);
  if (holidays === undefined) {
    holidays = new Set(nyseHolidays(year));
    holidayCache.set(year, holidays);
  }
  return holidays.has(isoDate);
}

export function isTradingDay(isoDate: string): boolean {
  const weekday = dayOfWeek(isoDate);
  return weekday !== 0 && weekday !== 6 && !isNyseHoliday(isoDate);
}

/** The latest trading day on or before `isoDate`. */
export function latestTradingDayOnOrBefore(isoDate: string): string {
  let day = isoDate;
  while (!isTradingDay(day)) day = addDays(day, -1);
  return day;
}

function computeTradingDays(startIsoDate: string, endIsoDate: string): string[] {
  const days: string[] = [];
  const end = parseIsoDate(endIsoDate).getTime();
  for (let time = parseIsoDate(startIsoDate).getTime(); time <= end; time += DAY_MS) {
    const weekday = new Date(time).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const day = new Date(time).toISOString().slice(0, 10);
    if (!isNyseHoliday(day)) days.push(day);
  }
  return days;
}

/**
 * Trading days from CACHE_START on, extended on demand: every synthetic series walks ~6,600 of them,
 * and building the list costs more than the price walk itself.
 */
const CACHE_START = '1990-01-01';
const cachedDays: string[] = [];
let cachedThrough = addDays(CACHE_START, -1);

function lowerBound(days: readonly string[], isoDate: string): number {
  let low = 0;
  let high = days.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((days[middle] ?? '') < isoDate) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** All trading days from `startIsoDate` to `endIsoDate`, both included, ascending. */
export function tradingDaysBetween(startIsoDate: string, endIsoDate: string): string[] {
  if (startIsoDate < CACHE_START) return computeTradingDays(startIsoDate, endIsoDate);
  if (endIsoDate > cachedThrough) {
    // Extend a year past the request so a clock that moves day by day does not extend every call.
    const through = `${Number(endIsoDate.slice(0, 4)) + 1}-12-31`;
    cachedDays.push(...computeTradingDays(addDays(cachedThrough, 1), through));
    cachedThrough = through;
  }
  return cachedDays.slice(
    lowerBound(cachedDays, startIsoDate),
    lowerBound(cachedDays, addDays(endIsoDate, 1)),
  );
}

/** The calendar date in New York at `instant` — AlphaVantage's "US/Eastern" trading date. */
export function easternDate(instant: Date): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/New_York',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}

/** NYSE regular session in exchange time, minutes after midnight: 09:30 to 16:00. */
export const SESSION_OPEN_MINUTE = 9 * 60 + 30;
export const SESSION_CLOSE_MINUTE = 16 * 60;

/** Date and minute of the day in New York at `instant`. */
export function easternWallClock(instant: Date): { date: string; minute: number } {
  const { date, time } = wallClock(instant, 'America/New_York');
  const [hour, minute] = time.split(':').map(Number);
  return { date, minute: (hour ?? 0) * 60 + (minute ?? 0) };
}

/**
 * Whether the regular session is open at `instant`. Early closes (13:00 on a few half days) are treated as
 * full days: a quote taken after such a close repeats the closing observation, which the rolling average
 * recognises and does not count twice.
 */
export function isMarketOpen(instant: Date): boolean {
  const { date, minute } = easternWallClock(instant);
  return isTradingDay(date) && minute >= SESSION_OPEN_MINUTE && minute < SESSION_CLOSE_MINUTE;
}

/** The latest trading day whose regular session had closed at `instant`. */
export function latestClosedTradingDay(instant: Date): string {
  const { date, minute } = easternWallClock(instant);
  if (isTradingDay(date) && minute >= SESSION_CLOSE_MINUTE) return date;
  return latestTradingDayOnOrBefore(addDays(date, -1));
}

/** Whether `instant` is at or after the close of the trading day `isoDate`. */
export function isAfterClose(instant: Date, isoDate: string): boolean {
  const { date, minute } = easternWallClock(instant);
  return date > isoDate || (date === isoDate && minute >= SESSION_CLOSE_MINUTE);
}
