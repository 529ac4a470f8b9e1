import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countWeekdaysBetween, isIsoDate, parseIsoInstant } from '../../functions/shared/domain/dates.ts';
import { DomainValidationError } from '../../functions/shared/domain/errors.ts';
import {
  COMPACT_TRADING_DAYS,
  type DailyClose,
  planHistoryFetch,
  selectNewCloses,
} from '../../functions/shared/domain/history-plan.ts';

describe('planHistoryFetch', () => {
  // 2024-01-05 and 2024-05-24 are both Fridays, exactly 20 weeks (= 100 weekdays) apart.
  const friday = '2024-01-05';
  const hundredWeekdaysLater = '2024-05-24';
  const hundredAndOneWeekdaysLater = '2024-05-27';

  it.each([
    [
      { fullLoadDone: false, planAllowsFull: true, today: '2024-03-01' },
      'full',
      'first-full-load',
      undefined,
    ],
    [
      { fullLoadDone: false, planAllowsFull: true, today: '2024-03-01', lastStoredDate: '2024-02-29' },
      'full',
      'first-full-load',
      undefined,
    ],
    [
      { fullLoadDone: false, planAllowsFull: false, today: '2024-03-01' },
      'compact',
      'first-load-compact-only',
      'history-truncated',
    ],
    [
      { fullLoadDone: true, planAllowsFull: true, today: '2024-03-04', lastStoredDate: '2024-03-01' },
      'compact',
      'incremental',
      undefined,
    ],
    [
      { fullLoadDone: true, planAllowsFull: false, today: hundredWeekdaysLater, lastStoredDate: friday },
      'compact',
      'incremental',
      undefined,
    ],
    [
      { fullLoadDone: true, planAllowsFull: true, today: hundredAndOneWeekdaysLater, lastStoredDate: friday },
      'full',
      'gap-recovery-full',
      undefined,
    ],
    [
      {
        fullLoadDone: true,
        planAllowsFull: false,
        today: hundredAndOneWeekdaysLater,
        lastStoredDate: friday,
      },
      'compact',
      'gap-exceeds-compact',
      'data-gap',
    ],
    [{ fullLoadDone: true, planAllowsFull: false, today: '2024-03-04' }, 'compact', 'incremental', undefined],
    [
      { fullLoadDone: true, planAllowsFull: false, today: '2024-03-01', lastStoredDate: '2024-03-04' },
      'compact',
      'incremental',
      undefined,
    ],
  ] as const)('%o -> %s (%s)', (input, outputsize, reason, warningCode) => {
    // Act
    const plan = planHistoryFetch(input);

    // Assess
    expect(plan.outputsize).toBe(outputsize);
    expect(plan.reason).toBe(reason);
    expect(plan.warning?.code).toBe(warningCode);
  });

  // A delisted symbol asked daily: its newest bar is far behind, but everything up to the last ask was asked for.
  it.each([
    [true, '2024-05-24', 'compact', 'incremental', undefined],
    [false, '2024-05-24', 'compact', 'incremental', undefined],
    [true, friday, 'full', 'gap-recovery-full', undefined],
    [true, '2024-01-08', 'compact', 'incremental', undefined],
    [false, friday, 'compact', 'gap-exceeds-compact', 'data-gap'],
  ] as const)(
    'full history stored, premium %s, last asked %s -> %s (%s)',
    (premium, lastAskedDate, outputsize, reason, warningCode) => {
      // Act
      const plan = planHistoryFetch({
        fullLoadDone: true,
        planAllowsFull: premium,
        lastStoredDate: friday,
        lastAskedDate,
        today: hundredAndOneWeekdaysLater,
      });

      // Assess
      expect(plan.outputsize).toBe(outputsize);
      expect(plan.reason).toBe(reason);
      expect(plan.warning?.code).toBe(warningCode);
    },
  );

  it('states the size of the gap in the data-gap warning', () => {
    // Act
    const plan = planHistoryFetch({
      fullLoadDone: true,
      planAllowsFull: false,
      lastStoredDate: '2024-01-05',
      today: '2024-05-27',
    });

    // Assess
    expect(plan.warning?.tradingDaysSinceLastStored).toBe(COMPACT_TRADING_DAYS + 1);
    expect(plan.warning?.message).toContain('2024-01-05');
  });

  it.each([
    [{ fullLoadDone: true, planAllowsFull: false, today: '2024/03/01' }, /today/],
    [
      { fullLoadDone: true, planAllowsFull: false, today: '2024-03-01', lastStoredDate: '' },
      /lastStoredDate/,
    ],
    [
      { fullLoadDone: 'yes' as unknown as boolean, planAllowsFull: false, today: '2024-03-01' },
      /fullLoadDone/,
    ],
  ])('rejects malformed input %o', (input, message) => {
    // Act / Assess
    expect(() => planHistoryFetch(input)).toThrow(DomainValidationError);
    expect(() => planHistoryFetch(input)).toThrow(message);
  });
});

describe('selectNewCloses', () => {
  const closes: DailyClose[] = [
    { date: '2024-03-05', close: 3 },
    { date: '2024-03-01', close: 1 },
    { date: '2024-03-04', close: 2 },
    { date: '2024-03-05', close: 3 },
  ];

  it('returns closes after the last stored date, de-duplicated, oldest first', () => {
    // Act / Assess
    expect(selectNewCloses(closes, '2024-03-01')).toEqual([
      { date: '2024-03-04', close: 2 },
      { date: '2024-03-05', close: 3 },
    ]);
    expect(selectNewCloses(closes, undefined).map((c) => c.date)).toEqual([
      '2024-03-01',
      '2024-03-04',
      '2024-03-05',
    ]);
    expect(selectNewCloses(closes, '2024-03-05')).toEqual([]);
  });

  it('leaves out a provisional (intraday) close and anything after it', () => {
    // Act
    const selected = selectNewCloses(closes, '2024-03-01', { provisionalDate: '2024-03-05' });

    // Assess
    expect(selected).toEqual([{ date: '2024-03-04', close: 2 }]);
  });

  it('validates its input', () => {
    // Act / Assess
    expect(() => selectNewCloses(closes, '5 March')).toThrow(/lastStoredDate/);
    expect(() => selectNewCloses([{ date: '2024-03-05', close: -3 }], undefined)).toThrow(
      DomainValidationError,
    );
  });
});

describe('dates', () => {
  it('counts weekdays in (from, to], matching a day-by-day walk (property)', () => {
    const day = fc
      .date({
        min: new Date('1999-01-01T00:00:00Z'),
        max: new Date('2030-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: -10, max: 400 }), (from, span) => {
        // Prepare: the slow but obvious way, with Date objects.
        const fromMs = Date.parse(`${from}T00:00:00Z`);
        const to = new Date(fromMs + span * 86_400_000).toISOString().slice(0, 10);
        let expected = 0;
        for (let i = 1; i <= span; i++) {
          const weekday = new Date(fromMs + i * 86_400_000).getUTCDay();
          if (weekday !== 0 && weekday !== 6) expected++;
        }

        // Act / Assess
        expect(countWeekdaysBetween(from, to)).toBe(expected);
      }),
    );
  });

  it('accepts real dates only', () => {
    // Act / Assess
    expect(['2024-02-29', '2000-02-29', '1999-12-31'].every(isIsoDate)).toBe(true);
    expect(
      ['2023-02-29', '1900-02-29', '2024-04-31', '2024-00-10', '24-01-01', 20240101].some(isIsoDate),
    ).toBe(false);
  });

  it('parses instants with an offset and refuses local times', () => {
    // Act / Assess
    expect(parseIsoInstant('2024-03-01T21:00:00Z', 't')).toBe(Date.UTC(2024, 2, 1, 21));
    expect(parseIsoInstant('2024-03-01T16:00-05:00', 't')).toBe(Date.UTC(2024, 2, 1, 21));
    expect(() => parseIsoInstant('2024-03-01 21:00:00', 't')).toThrow(/offset/);
    expect(() => parseIsoInstant(1709326800000, 't')).toThrow(DomainValidationError);
  });
});
