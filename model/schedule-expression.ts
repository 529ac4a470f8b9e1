/**
 * EventBridge Scheduler expressions, evaluated locally. Pure: no timers, no I/O.
 *
 * `cron(min hour day-of-month month day-of-week year)` is evaluated with croner (maintained, dependency-free,
 * evaluates in an IANA time zone, and supports Quartz-style numbering where 1-7 = SUN-SAT, `L`, `W`, `#` and a
 * year field). The differences between EventBridge's dialect and croner's are converted explicitly here:
 * - `?` becomes `*`, and day-of-month and day-of-week are combined with AND (`domAndDow`), so the field that
 *   is not `?` alone decides, as in EventBridge (which requires exactly one of the two to be `?`);
 * - a step from a single start value (`0/15`, `1/10`) becomes a range step (`0-59/15`): croner only steps
 *   over `*` or a range;
 * - day-of-week `L` alone (Quartz: the last day of the week, Saturday) becomes `7`, and `<day>L` (the last
 *   such weekday of the month) becomes `<day>#L`.
 * Daylight saving time follows EventBridge Scheduler's documented rules, which differ from croner's defaults:
 * a firing at a wall-clock time that does not exist (spring forward) is SKIPPED, and a wall-clock time that
 * occurs twice (fall back) fires only ONCE.
 *
 * `rate(N minutes|hours|days)` fires every N units of elapsed time from the schedule's start (a day is 24
 * hours, whatever the clocks do), the first firing at the start itself.
 */
import { Cron } from 'croner';

export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

type FieldName = 'minutes' | 'hours' | 'day-of-month' | 'month' | 'day-of-week' | 'year';

interface FieldRule {
  name: FieldName;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** EventBridge's field table (cron expression reference); names map to 1-based numbers. */
const FIELDS: readonly FieldRule[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS },
  { name: 'year', min: 1970, max: 2199 },
];

function fail(rule: FieldRule, item: string, why: string): never {
  throw new ScheduleExpressionError(`${rule.name} field: "${item}" ${why}`);
}

/** A value of the field, by number or (month, day-of-week) name, checked against the field's range. */
function fieldValue(token: string, rule: FieldRule, item: string): number {
  const index = rule.names?.indexOf(token) ?? -1;
  const value = index >= 0 ? index + 1 : /^\d+$/.test(token) ? Number(token) : Number.NaN;
  if (Number.isNaN(value)) fail(rule, item, `has an unknown value "${token}"`);
  if (value < rule.min || value > rule.max) fail(rule, item, `is outside ${rule.min}-${rule.max}`);
  return value;
}

/**
 * Validates one comma-separated item against EventBridge's grammar for the field and returns croner's form.
 * Grammar: `*`, `a`, `a-b`, each optionally `/step` (`*` too); plus `L`, `LW`, `<d>W` in day-of-month and
 * `L`, `<d>L`, `<d>#<n>` in day-of-week.
 */
function convertItem(item: string, rule: FieldRule): string {
  if (rule.name === 'day-of-month') {
    if (item === 'L' || item === 'LW') return item;
    const nearestWeekday = /^(\d+)W$/.exec(item);
    if (nearestWeekday?.[1]) return `${fieldValue(nearestWeekday[1], rule, item)}W`;
  }
  if (rule.name === 'day-of-week') {
    // Quartz: `L` alone is the last day of the week (Saturday); `<d>L` the month's last such weekday.
    if (item === 'L') return '7';
    const last = /^([0-9A-Z]+)L$/.exec(item);
    if (last?.[1]) return `${fieldValue(last[1], rule, item)}#L`;
    const nth = /^([0-9A-Z]+)#(\d)$/.exec(item);
    if (nth?.[1] && nth[2]) {
      if (Number(nth[2]) < 1 || Number(nth[2]) > 5) fail(rule, item, 'needs an occurrence 1-5 after #');
      return `${fieldValue(nth[1], rule, item)}#${nth[2]}`;
    }
  }
  const match = /^(\*|[0-9A-Z]+)(?:-([0-9A-Z]+))?(?:\/(\d+))?$/.exec(item);
  if (!match?.[1]) fail(rule, item, 'is not valid EventBridge cron syntax');
  const [, from, to, step] = match;
  if (step !== undefined && Number(step) < 1) fail(rule, item, 'has a step below 1');
  if (from === '*') {
    if (to !== undefined) fail(rule, item, 'is not valid EventBridge cron syntax');
    return step === undefined ? '*' : `*/${step}`;
  }
  const start = fieldValue(from, rule, item);
  const end = to === undefined ? undefined : fieldValue(to, rule, item);
  if (end !== undefined && end < start) fail(rule, item, 'is a range that ends before it starts');
  if (step === undefined) return end === undefined ? `${start}` : `${start}-${end}`;
  // croner steps only over `*` or a range: `start/step` means `start-max/step`.
  return `${start}-${end ?? rule.max}/${step}`;
}

function convertField(raw: string, rule: FieldRule): string {
  const field = raw.toUpperCase();
  if (field === '?') {
    if (rule.name !== 'day-of-month' && rule.name !== 'day-of-week') fail(rule, raw, 'cannot be "?"');
    return '*';
  }
  const items = field.split(',');
  if (rule.name === 'day-of-week' && field.includes('#') && items.length > 1) {
    // EventBridge: with #, the day-of-week field holds a single expression.
    fail(rule, raw, 'combines # with other expressions');
  }
  return items.map((item) => convertItem(item, rule)).join(',');
}

/**
 * Converts the six EventBridge cron fields into croner's seven-field pattern (seconds first, always 0).
 * @throws ScheduleExpressionError naming the offending field
 */
export function eventBridgeCronToCroner(fields: string): string {
  const parts = fields.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new ScheduleExpressionError(
      `cron needs 6 fields (min hour dom month dow year), got ${parts.length}`,
    );
  }
  const [, , dayOfMonth, , dayOfWeek] = parts;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new ScheduleExpressionError('exactly one of day-of-month and day-of-week must be "?"');
  }
  const converted = parts.map((part, index) => convertField(part, FIELDS[index] as FieldRule));
  return ['0', ...converted].join(' ');
}

export type RateUnit = 'minutes' | 'hours' | 'days';
const UNIT_MS: Record<RateUnit, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

export type ParsedExpression =
  | { kind: 'cron'; fields: string; cronerPattern: string }
  | { kind: 'rate'; value: number; unit: RateUnit; periodMs: number };

export function parseScheduleExpression(expression: string): ParsedExpression {
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron?.[1]) return { kind: 'cron', fields: cron[1], cronerPattern: eventBridgeCronToCroner(cron[1]) };
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate?.[1] && rate[2]) {
    const value = Number(rate[1]);
    if (value < 1) throw new ScheduleExpressionError(`rate value must be positive: ${expression}`);
    const unit = (rate[2].endsWith('s') ? rate[2] : `${rate[2]}s`) as RateUnit;
    return { kind: 'rate', value, unit, periodMs: value * UNIT_MS[unit] };
  }
  throw new ScheduleExpressionError(`not an EventBridge Scheduler expression: ${expression}`);
}

function assertTimeZone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ScheduleExpressionError(`unknown time zone: ${timezone}`);
  }
}

/** Wall-clock date (`YYYY-MM-DD`) and time (`HH:mm`) in `timezone` at `instant`. */
export function wallClock(instant: Date, timezone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}`,
  };
}

/** Wall-clock minute in `timezone` as a sortable `YYYY-MM-DDTHH:mm` string. */
function wallClockMinute(date: Date, timezone: string): string {
  const { date: day, time } = wallClock(date, timezone);
  return `${day}T${time}`;
}

export interface CompiledSchedule {
  expression: string;
  timezone: string;
  parsed: ParsedExpression;
  /**
   * The first firing strictly after `after`, or undefined when there is none (a cron whose years have passed).
   * `anchor` is the start of a rate schedule (its first firing); cron schedules ignore it.
   */
  nextAfter(after: Date, anchor?: Date): Date | undefined;
}

/** Upper bound on skipped croner candidates (DST gaps, repeated hours) before giving up on one call. */
const MAX_SKIPPED_CANDIDATES = 10_000;

export function compileSchedule(expression: string, timezone = 'UTC'): CompiledSchedule {
  assertTimeZone(timezone);
  const parsed = parseScheduleExpression(expression);
  if (parsed.kind === 'rate') {
    return {
      expression,
      timezone,
      parsed,
      nextAfter(after, anchor = after) {
        if (after.getTime() < anchor.getTime()) return new Date(anchor.getTime());
        const periods = Math.floor((after.getTime() - anchor.getTime()) / parsed.periodMs) + 1;
        return new Date(anchor.getTime() + periods * parsed.periodMs);
      },
    };
  }
  let cron: Cron;
  try {
    cron = new Cron(parsed.cronerPattern, {
      timezone,
      mode: '7-part',
      alternativeWeekdays: true,
      domAndDow: true,
    });
  } catch (error) {
    throw new ScheduleExpressionError(`${expression}: ${(error as Error).message}`);
  }
  return {
    expression,
    timezone,
    parsed,
    nextAfter(after) {
      const afterWallClock = wallClockMinute(after, timezone);
      let cursor = after;
      for (let skipped = 0; skipped < MAX_SKIPPED_CANDIDATES; skipped += 1) {
        const candidate = cron.nextRun(cursor);
        if (!candidate) return undefined;
        // croner moves a time inside a spring-forward gap to the gap's end, where the pattern does not match:
        // EventBridge skips such a firing instead. A wall-clock minute that repeats (fall back) fires once.
        if (cron.match(candidate) && wallClockMinute(candidate, timezone) > afterWallClock) return candidate;
        cursor = candidate;
      }
      return undefined;
    },
  };
}

/** The next `count` firings strictly after `after`. */
export function upcomingFirings(
  schedule: CompiledSchedule,
  after: Date,
  count: number,
  anchor?: Date,
): Date[] {
  const firings: Date[] = [];
  let cursor = after;
  const rateAnchor = anchor ?? after;
  while (firings.length < count) {
    const next = schedule.nextAfter(cursor, rateAnchor);
    if (!next) break;
    firings.push(next);
    cursor = next;
  }
  return firings;
}
