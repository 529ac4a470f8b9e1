/**
 * EventBridge expression conversion and next-firing computation. Every expected instant below was worked out by
 * hand from a calendar and the time-zone rules, not by running the code:
 * - 2025-01-01 is a Wednesday; 2025-03-01 a Saturday; 2024 is a leap year.
 * - America/New_York: EST = UTC-5, EDT = UTC-4; DST 2025 starts Sun 2025-03-09 02:00 (to 03:00) and ends
 *   Sun 2025-11-02 02:00 (back to 01:00).
 * - Europe/Berlin: CET = UTC+1, CEST = UTC+2; DST 2025 starts Sun 2025-03-30.
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../model/config.ts';
import {
  compileSchedule,
  eventBridgeCronToCroner,
  parseScheduleExpression,
  ScheduleExpressionError,
  upcomingFirings,
} from '../../model/schedule-expression.ts';

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

function firings(expression: string, timezone: string, after: string, count: number): string[] {
  return iso(upcomingFirings(compileSchedule(expression, timezone), new Date(after), count));
}

describe('eventBridgeCronToCroner', () => {
  it.each([
    ['0 6 ? * MON-FRI *', '0 0 6 * * 2-6 *'],
    ['0/15 9-16 ? * MON-FRI *', '0 0-59/15 9-16 * * 2-6 *'],
    ['1/10 * * * ? *', '0 1-59/10 * * * * *'],
    ['0 12 ? * 6L *', '0 0 12 * * 6#L *'],
    ['0 12 ? * FRIL *', '0 0 12 * * 6#L *'],
    ['0 12 ? * L *', '0 0 12 * * 7 *'],
    ['0 9 ? * 3#2 *', '0 0 9 * * 3#2 *'],
    ['0 8 1 JAN,MAR ? 2027', '0 0 8 1 1,3 * 2027'],
    ['0 10 L * ? *', '0 0 10 L * * *'],
    ['0 10 15W * ? 2025/2', '0 0 10 15W * * 2025-2199/2'],
    ['*/5 * ? * sun *', '0 */5 * * * 1 *'],
  ])('converts cron(%s)', (fields, expected) => {
    // Prepare / Act
    const converted = eventBridgeCronToCroner(fields);
    // Assess
    expect(converted).toBe(expected);
  });

  it.each([
    ['0 6 * * MON-FRI *', 'exactly one of'],
    ['0 6 ? * ? *', 'exactly one of'],
    ['0 6 ? * MON-FRI', '6 fields'],
    ['60 6 ? * MON *', 'outside 0-59'],
    ['? 6 ? * MON *', 'minutes field'],
    ['0 6 ? * 2W *', 'day-of-week field'],
    ['0 6 ? * 3#1,6#3 *', 'combines #'],
    ['0 L ? * MON *', 'hours field'],
    ['0 6 ? * FOO *', 'unknown value'],
    ['0 6 ? * FRI-MON *', 'ends before it starts'],
    ['0 6 ? * 8 *', 'outside 1-7'],
    ['0 6 1 * ? 1969', 'outside 1970-2199'],
    ['0 6 ? * 2#6 *', 'occurrence 1-5'],
  ])('rejects cron(%s)', (fields, message) => {
    expect(() => eventBridgeCronToCroner(fields)).toThrow(ScheduleExpressionError);
    expect(() => eventBridgeCronToCroner(fields)).toThrow(message);
  });
});

describe('parseScheduleExpression', () => {
  it('parses rate expressions, singular and plural', () => {
    expect(parseScheduleExpression('rate(1 minute)')).toEqual({
      kind: 'rate',
      value: 1,
      unit: 'minutes',
      periodMs: 60_000,
    });
    expect(parseScheduleExpression('rate(2 hours)')).toMatchObject({ unit: 'hours', periodMs: 7_200_000 });
    expect(parseScheduleExpression('rate(3 days)')).toMatchObject({ unit: 'days', periodMs: 259_200_000 });
  });

  it('rejects what is neither cron nor rate', () => {
    expect(() => parseScheduleExpression('rate(0 minutes)')).toThrow('positive');
    expect(() => parseScheduleExpression('rate(5 weeks)')).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression('at(2025-01-01T00:00:00)')).toThrow(ScheduleExpressionError);
  });

  it('accepts every default schedule of the configuration', () => {
    const { schedules } = resolveConfig({});
    for (const schedule of schedules) {
      expect(() => compileSchedule(schedule.expression, schedule.timezone)).not.toThrow();
    }
  });

  it('rejects an unknown time zone', () => {
    expect(() => compileSchedule('cron(0 6 ? * MON-FRI *)', 'Mars/Olympus_Mons')).toThrow(
      'unknown time zone',
    );
  });
});

describe('next firing of cron schedules', () => {
  it('weekdays at 06:00 New York: skips the weekend and follows the switch to EDT', () => {
    // After Fri 2025-03-07 07:00 EST: Mon 03-10 and Tue 03-11 at 06:00 EDT (UTC-4).
    expect(firings('cron(0 6 ? * MON-FRI *)', 'America/New_York', '2025-03-07T12:00:00Z', 2)).toEqual([
      '2025-03-10T10:00:00.000Z',
      '2025-03-11T10:00:00.000Z',
    ]);
  });

  it('numeric day-of-week is 1-7 = SUN-SAT (EventBridge), not 0-6', () => {
    expect(firings('cron(0 6 ? * 2-6 *)', 'America/New_York', '2025-03-07T12:00:00Z', 1)).toEqual([
      '2025-03-10T10:00:00.000Z',
    ]);
    // After Wed 2025-01-01: 1 = Sunday 01-05, 7 = Saturday 01-04.
    expect(firings('cron(0 12 ? * 1 *)', 'UTC', '2025-01-01T00:00:00Z', 1)).toEqual([
      '2025-01-05T12:00:00.000Z',
    ]);
    expect(firings('cron(0 12 ? * 7 *)', 'UTC', '2025-01-01T00:00:00Z', 1)).toEqual([
      '2025-01-04T12:00:00.000Z',
    ]);
  });

  it('quote schedule: every 15 minutes from 09:00 to 16:45 on weekdays', () => {
    // Fri 2025-01-03 16:44 EST: one more at 16:45, then Monday 01-06 from 09:00 EST (14:00Z).
    expect(firings('cron(0/15 9-16 ? * MON-FRI *)', 'America/New_York', '2025-01-03T21:44:00Z', 3)).toEqual([
      '2025-01-03T21:45:00.000Z',
      '2025-01-06T14:00:00.000Z',
      '2025-01-06T14:15:00.000Z',
    ]);
  });

  it('L in day-of-week: the last Friday of each month', () => {
    // Fridays of 2025: 01-03, 10, 17, 24, 31; 02-28; 03-28 (03-31 is a Monday).
    expect(firings('cron(0 12 ? * 6L *)', 'UTC', '2025-01-01T00:00:00Z', 3)).toEqual([
      '2025-01-31T12:00:00.000Z',
      '2025-02-28T12:00:00.000Z',
      '2025-03-28T12:00:00.000Z',
    ]);
  });

  it('L alone in day-of-week is Saturday', () => {
    expect(firings('cron(0 12 ? * L *)', 'UTC', '2025-01-01T00:00:00Z', 1)).toEqual([
      '2025-01-04T12:00:00.000Z',
    ]);
  });

  it('# in day-of-week: the second Tuesday', () => {
    // Tuesdays: 2025-01-07, 01-14; 02-04, 02-11.
    expect(firings('cron(0 12 ? * 3#2 *)', 'UTC', '2025-01-01T00:00:00Z', 2)).toEqual([
      '2025-01-14T12:00:00.000Z',
      '2025-02-11T12:00:00.000Z',
    ]);
  });

  it('L in day-of-month: the last day, leap year included', () => {
    expect(firings('cron(0 10 L * ? *)', 'UTC', '2024-02-01T00:00:00Z', 2)).toEqual([
      '2024-02-29T10:00:00.000Z',
      '2024-03-31T10:00:00.000Z',
    ]);
  });

  it('W in day-of-month: the weekday nearest the 15th, and LW the last weekday', () => {
    // 2025-03-15 is a Saturday -> Fri 03-14; 04-15 a Tuesday; 06-15 a Sunday -> Mon 06-16.
    expect(firings('cron(0 12 15W * ? *)', 'UTC', '2025-03-01T00:00:00Z', 4)).toEqual([
      '2025-03-14T12:00:00.000Z',
      '2025-04-15T12:00:00.000Z',
      '2025-05-15T12:00:00.000Z',
      '2025-06-16T12:00:00.000Z',
    ]);
    // 2025-05-31 is a Saturday -> Fri 05-30.
    expect(firings('cron(0 12 LW * ? *)', 'UTC', '2025-05-01T00:00:00Z', 1)).toEqual([
      '2025-05-30T12:00:00.000Z',
    ]);
  });

  it('year field: fires only in the listed year, then never', () => {
    expect(firings('cron(0 8 1 JAN ? 2027)', 'UTC', '2025-06-01T00:00:00Z', 3)).toEqual([
      '2027-01-01T08:00:00.000Z',
    ]);
  });

  it('Europe/Berlin: Monday 09:00 moves from 08:00Z (CET) to 07:00Z (CEST)', () => {
    expect(firings('cron(0 9 ? * MON *)', 'Europe/Berlin', '2025-03-17T00:00:00Z', 3)).toEqual([
      '2025-03-17T08:00:00.000Z',
      '2025-03-24T08:00:00.000Z',
      '2025-03-31T07:00:00.000Z',
    ]);
  });

  it('DST spring forward: a firing at a wall-clock time that does not exist is skipped', () => {
    // 2025-03-09 02:30 does not exist in New York: no firing that day; next is 03-10 02:30 EDT.
    expect(firings('cron(30 2 * * ? *)', 'America/New_York', '2025-03-08T12:00:00Z', 2)).toEqual([
      '2025-03-10T06:30:00.000Z',
      '2025-03-11T06:30:00.000Z',
    ]);
  });

  it('DST fall back: a repeated wall-clock time fires once', () => {
    // 2025-11-02 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST): only the first fires.
    expect(firings('cron(30 1 * * ? *)', 'America/New_York', '2025-11-01T12:00:00Z', 2)).toEqual([
      '2025-11-02T05:30:00.000Z',
      '2025-11-03T06:30:00.000Z',
    ]);
    // Every 30 minutes in hour 1: 01:00 and 01:30 EDT fire; their EST repeats do not.
    expect(firings('cron(0/30 1 * * ? *)', 'America/New_York', '2025-11-02T04:59:00Z', 3)).toEqual([
      '2025-11-02T05:00:00.000Z',
      '2025-11-02T05:30:00.000Z',
      '2025-11-03T06:00:00.000Z',
    ]);
  });
});

describe('next firing of rate schedules', () => {
  const anchor = new Date('2025-01-01T00:00:00Z');

  it('fires at the start, then every period', () => {
    const schedule = compileSchedule('rate(15 minutes)', 'UTC');
    expect(schedule.nextAfter(new Date(anchor.getTime() - 1), anchor)?.toISOString()).toBe(
      '2025-01-01T00:00:00.000Z',
    );
    expect(schedule.nextAfter(anchor, anchor)?.toISOString()).toBe('2025-01-01T00:15:00.000Z');
    expect(schedule.nextAfter(new Date('2025-01-01T00:20:00Z'), anchor)?.toISOString()).toBe(
      '2025-01-01T00:30:00.000Z',
    );
  });

  it('a day is 24 hours of elapsed time, even across a DST switch', () => {
    // Noon EST on 03-08 is 17:00Z; 24 h later is 17:00Z on 03-09, which is 13:00 EDT on the wall clock.
    const start = new Date('2025-03-08T17:00:00Z');
    const schedule = compileSchedule('rate(1 day)', 'America/New_York');
    expect(schedule.nextAfter(start, start)?.toISOString()).toBe('2025-03-09T17:00:00.000Z');
  });
});
