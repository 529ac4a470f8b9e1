import { assertIsoDate, describeValue } from './dates.ts';
import { DomainValidationError } from './errors.ts';
import { compareStrings } from './ordering.ts';

/**
 * One trading day's closing price. The domain's own minimal shape, so this module does not depend on how
 * the AlphaVantage parser represents a full OHLCV bar: the handler maps a parsed bar to this.
 */
export interface DailyClose {
  /** Trading date, `YYYY-MM-DD` (the exchange's local date, as AlphaVantage reports it). */
  readonly date: string;
  /** Closing price; finite and not negative. */
  readonly close: number;
}

/** Throws `DomainValidationError` unless `value` has a valid date and a finite, non-negative close. */
export function assertDailyClose(value: DailyClose, what = 'close'): void {
  assertIsoDate(value?.date, `${what}.date`);
  if (typeof value.close !== 'number' || !Number.isFinite(value.close) || value.close < 0) {
    throw new DomainValidationError(
      `${what}.close for ${value.date} must be a finite, non-negative number, got ${describeValue(value.close)}`,
    );
  }
}

/**
 * Validates a batch of closes, drops exact duplicates and returns it sorted by date (oldest first).
 *
 * Exact duplicates are harmless (a re-delivered batch, overlapping compact fetches) and are dropped. Two
 * different closes for the same date are refused: picking one would make the result depend on input order
 * and silently hide a data problem that someone needs to look at.
 */
export function normalizeDailyCloses(closes: readonly DailyClose[]): DailyClose[] {
  const byDate = new Map<string, DailyClose>();
  closes.forEach((candidate, index) => {
    assertDailyClose(candidate, `closes[${index}]`);
    const seen = byDate.get(candidate.date);
    if (seen === undefined) {
      byDate.set(candidate.date, { date: candidate.date, close: candidate.close });
    } else if (seen.close !== candidate.close) {
      throw new DomainValidationError(
        `conflicting closes for ${candidate.date}: ${seen.close} and ${candidate.close}`,
      );
    }
  });
  return [...byDate.values()].sort((a, b) => compareStrings(a.date, b.date));
}
