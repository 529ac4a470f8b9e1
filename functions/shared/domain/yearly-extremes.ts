import { assertDailyClose, type DailyClose, normalizeDailyCloses } from './daily-close.ts';
import { yearOf } from './dates.ts';
import { DomainValidationError } from './errors.ts';

export type { DailyClose } from './daily-close.ts';

/**
 * The highest and the lowest close of one trading year (the calendar year of the trading date).
 *
 * Only the two extremes are kept, not the whole year: a max/min aggregate can be updated from a single new
 * day without reading the year's history back, which is what lets the daily handler stay incremental.
 */
export interface YearExtremes {
  readonly year: number;
  readonly high: DailyClose;
  readonly low: DailyClose;
}

/** Result of an incremental merge. */
export interface YearlyExtremesMerge {
  /** Every year in `existing` plus every year in the new closes, ascending by year. */
  readonly extremes: YearExtremes[];
  /** Only the years whose high or low is new or different: the items the handler must write. */
  readonly changed: YearExtremes[];
}

/**
 * Yearly extremes of a full history, ascending by year.
 *
 * Ties: when several days share the highest (or lowest) close, the EARLIEST date wins. Any fixed rule
 * would give order independence; "earliest" is the one that never changes once a later equal close
 * arrives, so a stored record does not flip back and forth between equal candidates.
 */
export function computeYearlyExtremes(closes: readonly DailyClose[]): YearExtremes[] {
  return mergeYearlyExtremes([], closes).extremes;
}

/**
 * Folds new closes into stored extremes and reports which years changed.
 *
 * A close can only move the extremes of its own year, so `existing` may hold just the years touched by
 * `newCloses` (see `affectedYears`) rather than the symbol's whole history. The merge is idempotent (merging
 * closes that are already reflected changes nothing), order-independent, and equal to
 * `computeYearlyExtremes` over the union of the inputs; ties follow the earliest-date rule.
 *
 * Limitation, by design: extremes are monotone. A close that REVISES the stored extreme's own date
 * (same date, different price) cannot be applied without the rest of that year's closes, so it is
 * rejected with `DomainValidationError`; the remedy is a full recompute of that year. This is also why
 * provisional intraday closes must never be merged (see `selectNewCloses` in history-plan.ts).
 */
export function mergeYearlyExtremes(
  existing: readonly YearExtremes[],
  newCloses: readonly DailyClose[],
): YearlyExtremesMerge {
  const stored = indexByYear(existing);
  const current = new Map(stored);

  for (const candidate of normalizeDailyCloses(newCloses)) {
    const year = yearOf(candidate.date);
    const previous = current.get(year);
    if (previous === undefined) {
      current.set(year, { year, high: candidate, low: candidate });
      continue;
    }
    rejectRevisionOfStoredExtreme(previous, candidate);
    const high = beatsHigh(candidate, previous.high) ? candidate : previous.high;
    const low = beatsLow(candidate, previous.low) ? candidate : previous.low;
    if (high !== previous.high || low !== previous.low) current.set(year, { year, high, low });
  }

  const extremes = [...current.values()].sort((a, b) => a.year - b.year);
  const changed = extremes.filter((entry) => !sameExtremes(stored.get(entry.year), entry));
  return { extremes, changed };
}

/**
 * The distinct years of a batch of closes, ascending: the only stored years a merge of that batch can
 * change, hence the only items the handler needs to read before calling `mergeYearlyExtremes`.
 */
export function affectedYears(closes: readonly DailyClose[]): number[] {
  return [...new Set(normalizeDailyCloses(closes).map((close) => yearOf(close.date)))].sort((a, b) => a - b);
}

/**
 * The "last stored date" bookkeeping: the newest trading date that has been folded into the extremes.
 * It never moves backwards, so re-processing an old batch cannot make already-stored days look new again.
 * Returns `previous` unchanged when `closes` is empty (and `undefined` when there is nothing at all).
 */
export function advanceLastStoredDate(
  previous: string | undefined,
  closes: readonly DailyClose[],
): string | undefined {
  const newest = normalizeDailyCloses(closes).at(-1)?.date;
  if (previous === undefined) return newest;
  if (newest === undefined) return previous;
  return newest > previous ? newest : previous;
}

/** A higher close wins; on an equal close the earlier date wins. */
function beatsHigh(candidate: DailyClose, incumbent: DailyClose): boolean {
  return (
    candidate.close > incumbent.close ||
    (candidate.close === incumbent.close && candidate.date < incumbent.date)
  );
}

/** A lower close wins; on an equal close the earlier date wins. */
function beatsLow(candidate: DailyClose, incumbent: DailyClose): boolean {
  return (
    candidate.close < incumbent.close ||
    (candidate.close === incumbent.close && candidate.date < incumbent.date)
  );
}

function rejectRevisionOfStoredExtreme(stored: YearExtremes, candidate: DailyClose): void {
  for (const extreme of [stored.high, stored.low]) {
    if (extreme.date === candidate.date && extreme.close !== candidate.close) {
      throw new DomainValidationError(
        `close ${candidate.close} for ${candidate.date} revises the stored ${stored.year} extreme ` +
          `(${extreme.close}); extremes cannot be lowered incrementally, recompute ${stored.year} from full history`,
      );
    }
  }
}

function sameExtremes(a: YearExtremes | undefined, b: YearExtremes): boolean {
  return (
    a !== undefined &&
    a.high.date === b.high.date &&
    a.high.close === b.high.close &&
    a.low.date === b.low.date &&
    a.low.close === b.low.close
  );
}

/** Validates stored extremes (they come back from DynamoDB, so trust nothing) and indexes them by year. */
function indexByYear(existing: readonly YearExtremes[]): Map<number, YearExtremes> {
  const byYear = new Map<number, YearExtremes>();
  existing.forEach((entry, index) => {
    const what = `existing[${index}]`;
    if (!Number.isInteger(entry?.year)) {
      throw new DomainValidationError(`${what}.year must be an integer, got ${String(entry?.year)}`);
    }
    assertDailyClose(entry.high, `${what}.high`);
    assertDailyClose(entry.low, `${what}.low`);
    if (yearOf(entry.high.date) !== entry.year || yearOf(entry.low.date) !== entry.year) {
      throw new DomainValidationError(`${what}: high/low dates must fall in ${entry.year}`);
    }
    if (entry.high.close < entry.low.close) {
      throw new DomainValidationError(`${what}: high ${entry.high.close} is below low ${entry.low.close}`);
    }
    if (byYear.has(entry.year)) throw new DomainValidationError(`${what}: year ${entry.year} appears twice`);
    byYear.set(entry.year, {
      year: entry.year,
      high: { date: entry.high.date, close: entry.high.close },
      low: { date: entry.low.date, close: entry.low.close },
    });
  });
  return byYear;
}
