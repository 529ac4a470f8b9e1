/**
 * The simulator's own NYSE calendar: weekdays minus the exchange's holidays and unscheduled closures.
 *
 * Written from the NYSE holiday rules (NYSE Rule 7.2), independently of the product's calendar, so that a
 * test comparing the two (test/unit/simulator-independence.test.ts) can catch a bug in either. Days are
 * counted as whole days since 1970-01-01 (UTC), so neither the host time zone nor daylight saving matters.
 * Checked against every date of real AlphaVantage daily histories in test/unit/simulator-calendar.test.ts.
 */

const MS_PER_DAY = 86_400_000;
const SUNDAY = 0;
const MONDAY = 1;
const THURSDAY = 4;
const SATURDAY = 6;

/** Days the exchange closed outside its rules since the synthetic history starts (November 1999). */
const UNSCHEDULED_CLOSURES = [
  '2001-09-11', // September 11 attacks: closed 11-14 September
  '2001-09-12',
  '2001-09-13',
  '2001-09-14',
  '2004-06-11', // mourning, President Reagan
  '2007-01-02', // mourning, President Ford
  '2012-10-29', // Hurricane Sandy
  '2012-10-30',
  '2018-12-05', // mourning, President G. H. W. Bush
  '2025-01-09', // mourning, President Carter
];

/** `YYYY-MM-DD` -> days since 1970-01-01; throws on anything that is not a real calendar date. */
function dayNumber(isoDate: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (match === null) throw new Error(`not an ISO date: ${isoDate}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, day);
  const back = new Date(time);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day)
    throw new Error(`not a calendar date: ${isoDate}`);
  return time / MS_PER_DAY;
}

function isoFromDayNumber(days: number): string {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday. */
function weekdayOf(days: number): number {
  return (((days + THURSDAY) % 7) + 7) % 7;
}

/** Validates an ISO date (throws with the date in the message) and returns it as a UTC midnight. */
export function parseIsoDate(isoDate: string): Date {
  return new Date(dayNumber(isoDate) * MS_PER_DAY);
}

export function addDays(isoDate: string, days: number): string {
  return isoFromDayNumber(dayNumber(isoDate) + days);
}

/** Easter Sunday of the Gregorian calendar (Oudin's algorithm, as given by Tøndering's calendar FAQ). */
export function easterSunday(year: number): string {
  const golden = year % 19;
  const century = Math.floor(year / 100);
  const h = (century - Math.floor(century / 4) - Math.floor((8 * century + 13) / 25) + 19 * golden + 15) % 30;
  const i = h - Math.floor(h / 28) * (1 - Math.floor(29 / (h + 1)) * Math.floor((21 - golden) / 11));
  const j = (year + Math.floor(year / 4) + i + 2 - century + Math.floor(century / 4)) % 7;
  const daysAfterMarch21 = i - j;
  const month = 3 + Math.floor((daysAfterMarch21 + 40) / 44);
  const day = daysAfterMarch21 + 28 - 31 * Math.floor(month / 4);
  return isoFromDayNumber(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

/** The days of one month with the given weekday, in order. */
function weekdaysOfMonth(year: number, month: number, weekday: number): number[] {
  const first = Date.UTC(year, month - 1, 1) / MS_PER_DAY;
  const next = Date.UTC(year, month, 1) / MS_PER_DAY;
  const days: number[] = [];
  for (let day = first; day < next; day += 1) if (weekdayOf(day) === weekday) days.push(day);
  return days;
}

/**
 * A fixed-date holiday moved as NYSE observes it: from Sunday to Monday, from Saturday to Friday. New
 * Year's Day on a Saturday is not observed at all (the Friday before closes the old year's books).
 */
function observedFixedHoliday(year: number, month: number, day: number): number | undefined {
  const date = Date.UTC(year, month - 1, day) / MS_PER_DAY;
  const weekday = weekdayOf(date);
  if (weekday === SUNDAY) return date + 1;
  if (weekday === SATURDAY) return month === 1 && day === 1 ? undefined : date - 1;
  return date;
}

/** The NYSE holidays of one year (rules plus unscheduled closures), ascending `YYYY-MM-DD`. */
export function nyseHolidays(year: number): string[] {
  const mondays = (month: number) => weekdaysOfMonth(year, month, MONDAY);
  const candidates = [
    observedFixedHoliday(year, 1, 1), // New Year's Day
    mondays(1)[2], // Martin Luther King Jr. Day, third Monday of January
    mondays(2)[2], // Washington's Birthday, third Monday of February
    dayNumber(easterSunday(year)) - 2, // Good Friday
    mondays(5).at(-1), // Memorial Day, last Monday of May
    year >= 2022 ? observedFixedHoliday(year, 6, 19) : undefined, // Juneteenth, observed since 2022
    observedFixedHoliday(year, 7, 4), // Independence Day
    mondays(9)[0], // Labor Day, first Monday of September
    weekdaysOfMonth(year, 11, THURSDAY)[3], // Thanksgiving, fourth Thursday of November
    observedFixedHoliday(year, 12, 25), // Christmas Day
  ];
  const dates = candidates.filter((day): day is number => day !== undefined).map(isoFromDayNumber);
  dates.push(...UNSCHEDULED_CLOSURES.filter((date) => date.startsWith(`${year}-`)));
  return [...new Set(dates)].sort();
}

const holidaysByYear = new Map<number, ReadonlySet<string>>();

function holidaysOf(year: number): ReadonlySet<string> {
  let holidays = holidaysByYear.get(year);
  if (holidays === undefined) {
    holidays = new Set(nyseHolidays(year));
    holidaysByYear.set(year, holidays);
  }
  return holidays;
}

function isTradingDayNumber(day: number): boolean {
  const weekday = weekdayOf(day);
  if (weekday === SUNDAY || weekday === SATURDAY) return false;
  const iso = isoFromDayNumber(day);
  return !holidaysOf(Number(iso.slice(0, 4))).has(iso);
}

export function isTradingDay(isoDate: string): boolean {
  return isTradingDayNumber(dayNumber(isoDate));
}

/** The latest trading day on or before `isoDate`. */
export function latestTradingDayOnOrBefore(isoDate: string): string {
  let day = dayNumber(isoDate);
  while (!isTradingDayNumber(day)) day -= 1;
  return isoFromDayNumber(day);
}

const tradingDayLists = new Map<string, readonly string[]>();
/** Enough for the few history starts (1999-11-01, listing dates) times the clock's dates a run meets. */
const TRADING_DAY_LISTS_KEPT = 256;

/**
 * All trading days from `startIsoDate` to `endIsoDate`, both included, ascending. Memoised: every synthetic
 * series walks ~6,600 of them, and listing them costs as much as the price walk itself.
 */
export function tradingDaysBetween(startIsoDate: string, endIsoDate: string): string[] {
  const key = `${startIsoDate}|${endIsoDate}`;
  let days = tradingDayLists.get(key);
  if (days === undefined) {
    const listed: string[] = [];
    const last = dayNumber(endIsoDate);
    for (let day = dayNumber(startIsoDate); day <= last; day += 1)
      if (isTradingDayNumber(day)) listed.push(isoFromDayNumber(day));
    if (tradingDayLists.size >= TRADING_DAY_LISTS_KEPT) tradingDayLists.clear();
    tradingDayLists.set(key, listed);
    days = listed;
  }
  return [...days];
}

/** The calendar date in New York at `instant`: AlphaVantage's "US/Eastern" trading date. */
export function easternDate(instant: Date): string {
  // The sv-SE locale formats dates as YYYY-MM-DD.
  return instant.toLocaleDateString('sv-SE', { timeZone: 'America/New_York' });
}
