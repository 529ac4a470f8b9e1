import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../../functions/shared/domain/errors.ts';
import { selectNewCloses } from '../../functions/shared/domain/history-plan.ts';
import {
  advanceLastStoredDate,
  affectedYears,
  computeYearlyExtremes,
  type DailyClose,
  mergeYearlyExtremes,
  type YearExtremes,
} from '../../functions/shared/domain/yearly-extremes.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

/**
 * Independent oracle: for each year, sort that year's closes by (close, date) and take the ends. Written
 * differently from the fold in the implementation on purpose, so both cannot share a bug.
 */
function oracle(closes: readonly DailyClose[]): YearExtremes[] {
  const byYear = new Map<number, DailyClose[]>();
  for (const close of closes) {
    const year = Number(close.date.slice(0, 4));
    byYear.set(year, [...(byYear.get(year) ?? []), close]);
  }
  return [...byYear.entries()]
    .sort(([a], [b]) => a - b)
    .map(([year, list]) => {
      const highFirst = [...list].sort((a, b) => b.close - a.close || (a.date < b.date ? -1 : 1));
      const lowFirst = [...list].sort((a, b) => a.close - b.close || (a.date < b.date ? -1 : 1));
      return { year, high: highFirst[0] as DailyClose, low: lowFirst[0] as DailyClose };
    });
}

/** Closes on distinct dates over a few years; prices on a coarse grid so that ties are frequent. */
const closeSeries = fc.uniqueArray(
  fc.record({
    date: fc
      .date({
        min: new Date('2019-01-01T00:00:00Z'),
        max: new Date('2022-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10)),
    close: fc.integer({ min: 0, max: 40 }).map((quarters) => quarters / 4),
  }),
  { selector: (close) => close.date, minLength: 1, maxLength: 120 },
);

describe('computeYearlyExtremes', () => {
  it('finds the highest and lowest close of each calendar year with their dates', () => {
    // Prepare: two years, extremes deliberately not at the ends of the year.
    const closes: DailyClose[] = [
      { date: '2023-12-28', close: 10 },
      { date: '2023-12-29', close: 12 },
      { date: '2024-01-02', close: 11 },
      { date: '2024-01-03', close: 15.5 },
      { date: '2024-01-04', close: 9.25 },
      { date: '2024-01-05', close: 13 },
    ];

    // Act
    const extremes = computeYearlyExtremes(closes);

    // Assess
    expect(extremes).toEqual([
      { year: 2023, high: { date: '2023-12-29', close: 12 }, low: { date: '2023-12-28', close: 10 } },
      { year: 2024, high: { date: '2024-01-03', close: 15.5 }, low: { date: '2024-01-04', close: 9.25 } },
    ]);
  });

  it('lets the earliest date win on equal closes, whatever the input order', () => {
    // Prepare: the high (20) and the low (5) each occur twice.
    const closes: DailyClose[] = [
      { date: '2024-03-04', close: 20 },
      { date: '2024-03-01', close: 20 },
      { date: '2024-03-05', close: 5 },
      { date: '2024-03-06', close: 5 },
      { date: '2024-03-07', close: 10 },
    ];

    // Act
    const forwards = computeYearlyExtremes(closes);
    const backwards = computeYearlyExtremes([...closes].reverse());

    // Assess
    expect(forwards[0]?.high).toEqual({ date: '2024-03-01', close: 20 });
    expect(forwards[0]?.low).toEqual({ date: '2024-03-05', close: 5 });
    expect(backwards).toEqual(forwards);
  });

  it('treats a one-day year as its own high and low, and an empty input as no years', () => {
    // Prepare / Act
    const single = computeYearlyExtremes([{ date: '2020-06-30', close: 0 }]);
    const none = computeYearlyExtremes([]);

    // Assess
    expect(single).toEqual([
      { year: 2020, high: { date: '2020-06-30', close: 0 }, low: { date: '2020-06-30', close: 0 } },
    ]);
    expect(none).toEqual([]);
  });

  it('agrees with an independent oracle and does not depend on input order (property)', () => {
    fc.assert(
      fc.property(closeSeries, fc.infiniteStream(fc.nat()), (closes, randoms) => {
        // Prepare: a shuffled copy.
        const shuffled = [...closes];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = (randoms.next().value as number) % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j] as DailyClose, shuffled[i] as DailyClose];
        }

        // Act
        const extremes = computeYearlyExtremes(closes);

        // Assess
        expect(extremes).toEqual(oracle(closes));
        expect(computeYearlyExtremes(shuffled)).toEqual(extremes);
      }),
    );
  });

  it.each([
    ['a NaN close', { date: '2024-01-02', close: Number.NaN }, /finite, non-negative/],
    ['an infinite close', { date: '2024-01-02', close: Number.POSITIVE_INFINITY }, /finite, non-negative/],
    ['a negative close', { date: '2024-01-02', close: -0.01 }, /finite, non-negative/],
    ['a string close', { date: '2024-01-02', close: '12.5' as unknown as number }, /finite, non-negative/],
    ['an impossible date', { date: '2023-02-29', close: 1 }, /YYYY-MM-DD/],
    ['an unpadded date', { date: '2024-1-02', close: 1 }, /YYYY-MM-DD/],
    ['a date with a time of day', { date: '2024-01-02 16:00:00', close: 1 }, /YYYY-MM-DD/],
  ])('rejects %s with a DomainValidationError', (_label, bad, message) => {
    // Prepare
    const closes: DailyClose[] = [{ date: '2024-01-01', close: 1 }, bad];

    // Act
    const act = () => computeYearlyExtremes(closes);

    // Assess
    expect(act).toThrow(DomainValidationError);
    expect(act).toThrow(message);
  });

  it('accepts an exact duplicate but rejects two different closes for one date', () => {
    // Prepare
    const duplicate: DailyClose[] = [
      { date: '2024-01-02', close: 3 },
      { date: '2024-01-02', close: 3 },
    ];
    const conflicting: DailyClose[] = [
      { date: '2024-01-02', close: 3 },
      { date: '2024-01-02', close: 4 },
    ];

    // Act / Assess
    expect(computeYearlyExtremes(duplicate)).toHaveLength(1);
    expect(() => computeYearlyExtremes(conflicting)).toThrow(/conflicting closes for 2024-01-02/);
  });
});

describe('mergeYearlyExtremes', () => {
  const stored: YearExtremes[] = [
    { year: 2023, high: { date: '2023-07-03', close: 150 }, low: { date: '2023-01-05', close: 100 } },
    { year: 2024, high: { date: '2024-02-01', close: 180 }, low: { date: '2024-01-10', close: 160 } },
  ];

  it('reports only the year whose extreme moved', () => {
    // Prepare: a new 2024 high; 2023 untouched.
    const newCloses: DailyClose[] = [{ date: '2024-03-01', close: 181 }];

    // Act
    const { extremes, changed } = mergeYearlyExtremes(stored, newCloses);

    // Assess
    expect(changed).toEqual([
      { year: 2024, high: { date: '2024-03-01', close: 181 }, low: { date: '2024-01-10', close: 160 } },
    ]);
    expect(extremes.map((entry) => entry.year)).toEqual([2023, 2024]);
    expect(extremes[0]).toEqual(stored[0]);
  });

  it('reports nothing when the new day lies between the extremes or ties a stored one later', () => {
    // Prepare: 170 is inside the range; 180 on a later date ties the high, and the earlier date stays.
    const newCloses: DailyClose[] = [
      { date: '2024-03-01', close: 170 },
      { date: '2024-03-04', close: 180 },
    ];

    // Act
    const { extremes, changed } = mergeYearlyExtremes(stored, newCloses);

    // Assess
    expect(changed).toEqual([]);
    expect(extremes).toEqual(stored);
  });

  it('lets an earlier date take over a tied extreme (late back-fill)', () => {
    // Prepare: a back-filled January day with the same close as the stored February high.
    const newCloses: DailyClose[] = [{ date: '2024-01-03', close: 180 }];

    // Act
    const { changed } = mergeYearlyExtremes(stored, newCloses);

    // Assess
    expect(changed[0]?.high).toEqual({ date: '2024-01-03', close: 180 });
  });

  it('starts a new year from its first close and works with only the touched years loaded', () => {
    // Prepare: the handler loaded only the years of the batch (none stored for 2025).
    const batch: DailyClose[] = [
      { date: '2025-01-02', close: 200 },
      { date: '2025-01-03', close: 190 },
    ];

    // Act
    const { extremes, changed } = mergeYearlyExtremes([], batch);

    // Assess
    expect(affectedYears(batch)).toEqual([2025]);
    expect(changed).toEqual([
      { year: 2025, high: { date: '2025-01-02', close: 200 }, low: { date: '2025-01-03', close: 190 } },
    ]);
    expect(extremes).toEqual(changed);
  });

  it('refuses a revised close for the date of a stored extreme', () => {
    // Prepare: AlphaVantage "corrects" the day that holds the 2024 high.
    const revision: DailyClose[] = [{ date: '2024-02-01', close: 175 }];

    // Act
    const act = () => mergeYearlyExtremes(stored, revision);

    // Assess
    expect(act).toThrow(DomainValidationError);
    expect(act).toThrow(/recompute 2024/);
  });

  it.each([
    [
      'a high dated in another year',
      { ...stored[1], high: { date: '2023-12-29', close: 190 } },
      /must fall in 2024/,
    ],
    ['a high below the low', { ...stored[1], high: { date: '2024-02-01', close: 1 } }, /below low/],
    ['a non-integer year', { ...stored[1], year: 2024.5 }, /integer/],
    ['a malformed low date', { ...stored[1], low: { date: '2024-13-01', close: 160 } }, /YYYY-MM-DD/],
  ])('rejects stored extremes with %s', (_label, bad, message) => {
    // Prepare
    const existing = [stored[0], bad] as YearExtremes[];

    // Act / Assess
    expect(() => mergeYearlyExtremes(existing, [])).toThrow(message);
  });

  it('rejects the same year stored twice', () => {
    // Prepare
    const existing = [stored[1], stored[1]] as YearExtremes[];

    // Act / Assess
    expect(() => mergeYearlyExtremes(existing, [])).toThrow(/appears twice/);
  });

  it('is idempotent: merging closes already reflected changes nothing (property)', () => {
    fc.assert(
      fc.property(closeSeries, fc.nat(), (closes, pick) => {
        // Prepare
        const full = computeYearlyExtremes(closes);
        const again = closes.filter((_, index) => (index + pick) % 3 === 0);

        // Act
        const all = mergeYearlyExtremes(full, closes);
        const some = mergeYearlyExtremes(full, again);

        // Assess
        expect(all.changed).toEqual([]);
        expect(all.extremes).toEqual(full);
        expect(some.changed).toEqual([]);
      }),
    );
  });

  it('merging in random batches equals the full computation, and only touched years change (property)', () => {
    fc.assert(
      fc.property(
        closeSeries,
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1 }),
        (closes, sizes) => {
          // Prepare: cut the series (in its generated, unsorted order) into batches.
          const batches: DailyClose[][] = [];
          for (let start = 0, i = 0; start < closes.length; i++) {
            const size = sizes[i % sizes.length] as number;
            batches.push(closes.slice(start, start + size));
            start += size;
          }

          // Act
          let extremes: YearExtremes[] = [];
          for (const batch of batches) {
            const before = extremes;
            const result = mergeYearlyExtremes(before, batch);
            // Assess (per batch): every changed year is touched by the batch and differs from before.
            const touched = new Set(affectedYears(batch));
            for (const entry of result.changed) {
              expect(touched.has(entry.year)).toBe(true);
              expect(before.find((old) => old.year === entry.year)).not.toEqual(entry);
            }
            extremes = result.extremes;
          }

          // Assess
          expect(extremes).toEqual(computeYearlyExtremes(closes));
        },
      ),
    );
  });
});

describe('advanceLastStoredDate', () => {
  it('moves forward to the newest close and never backwards', () => {
    // Prepare
    const batch: DailyClose[] = [
      { date: '2024-03-05', close: 1 },
      { date: '2024-03-07', close: 1 },
      { date: '2024-03-06', close: 1 },
    ];

    // Act / Assess
    expect(advanceLastStoredDate(undefined, batch)).toBe('2024-03-07');
    expect(advanceLastStoredDate('2024-03-01', batch)).toBe('2024-03-07');
    expect(advanceLastStoredDate('2024-04-01', batch)).toBe('2024-04-01');
    expect(advanceLastStoredDate('2024-04-01', [])).toBe('2024-04-01');
    expect(advanceLastStoredDate(undefined, [])).toBeUndefined();
  });
});

const ibmFullPath = join(ALPHAVANTAGE_FIXTURES_DIR, 'TIME_SERIES_DAILY-IBM-full.json');

/**
 * The IBM full-history excerpt keeps the years 2008 (its yearly high is a tie) and 2024-2025 (to 2025-02-07), see
 * test/fixtures/PROVENANCE.md.
 */
describe('yearly extremes over the real IBM full history excerpt', () => {
  /** Minimal parse of the AlphaVantage payload, kept here so this test does not depend on the parser. */
  function loadIbmCloses(): DailyClose[] {
    const payload = JSON.parse(readFileSync(ibmFullPath, 'utf8')) as {
      'Time Series (Daily)': Record<string, { '4. close': string }>;
    };
    return Object.entries(payload['Time Series (Daily)']).map(([date, bar]) => ({
      date,
      close: Number(bar['4. close']),
    }));
  }

  it('day-by-day merging (as the daily handler would) equals the full computation', () => {
    // Prepare: 530 closes, newest first as AlphaVantage returns them.
    const closes = loadIbmCloses();
    const chronological = [...closes].reverse();

    // Act: full load.
    const started = performance.now();
    const full = computeYearlyExtremes(closes);
    const fullMs = performance.now() - started;

    // Act: replay every day, each time fetching an overlapping "compact" window of the latest 100 days,
    // keeping only the new closes, and loading only the stored years the batch touches.
    const store = new Map<number, YearExtremes>();
    let lastStoredDate: string | undefined;
    let writes = 0;
    const replayStarted = performance.now();
    for (let day = 0; day < chronological.length; day++) {
      const compact = chronological.slice(Math.max(0, day - 99), day + 1);
      const fresh = selectNewCloses(compact, lastStoredDate);
      const loaded = affectedYears(fresh).flatMap((year) => store.get(year) ?? []);
      const { changed } = mergeYearlyExtremes(loaded, fresh);
      for (const entry of changed) store.set(entry.year, entry);
      writes += changed.length;
      lastStoredDate = advanceLastStoredDate(lastStoredDate, fresh);
    }
    const replayMs = performance.now() - replayStarted;

    // Assess
    const incremental = [...store.values()].sort((a, b) => a.year - b.year);
    expect(incremental).toEqual(full);
    expect(full).toEqual(oracle(closes));
    expect(full.map((entry) => entry.year)).toEqual([2008, 2024, 2025]);
    expect(lastStoredDate).toBe('2025-02-07');
    // Far fewer writes than days: most days move no extreme.
    expect(writes).toBeLessThan(chronological.length / 4);
    console.info(
      `[domain-yearly-extremes] IBM ${closes.length} closes: full ${fullMs.toFixed(1)} ms, ` +
        `day-by-day replay ${replayMs.toFixed(0)} ms, ${writes} year-item writes`,
    );
  });

  it('applies the earliest-date rule to the real tie in 2008 (close 130.00 on 07-22 and 07-24)', () => {
    // Prepare
    const closes = loadIbmCloses().filter((close) => close.date.startsWith('2008-'));

    // Act
    const [year2008] = computeYearlyExtremes(closes);

    // Assess
    expect(year2008?.high).toEqual({ date: '2008-07-22', close: 130 });
    expect(closes.filter((close) => close.close === 130).map((close) => close.date)).toEqual([
      '2008-07-24',
      '2008-07-22',
    ]);
  });
});
