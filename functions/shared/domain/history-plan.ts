import { type DailyClose, normalizeDailyCloses } from './daily-close.ts';
import { assertIsoDate, countWeekdaysBetween } from './dates.ts';
import { DomainValidationError } from './errors.ts';

export type { DailyClose } from './daily-close.ts';

/**
 * How much TIME_SERIES_DAILY history to ask for. `full` (20+ years) is a premium feature on current
 * AlphaVantage plans and a large response, so it is requested only when it buys something: the first
 * load, or closing a gap that `compact` cannot cover.
 */

/** `outputsize=compact` returns the latest 100 trading days. */
export const COMPACT_TRADING_DAYS = 100;

export interface HistoryFetchInput {
  /** Newest trading date already stored for the symbol, `YYYY-MM-DD`; absent before the first load. */
  readonly lastStoredDate?: string;
  /**
   * The last closed trading day when AlphaVantage was last asked (and answered with bars), `YYYY-MM-DD`:
   * everything up to it was asked for, so only later days can be missing. Absent when no ask is recorded.
   */
  readonly lastAskedDate?: string;
  /** Whether a `full` response has ever been stored for the symbol. */
  readonly fullLoadDone: boolean;
  /** Whether the AlphaVantage plan in use may request `outputsize=full`. */
  readonly planAllowsFull: boolean;
  /** Today's date, `YYYY-MM-DD`, passed in so the decision is a pure function of its inputs. */
  readonly today: string;
}

export type HistoryFetchReason =
  /** No full history stored yet and the plan allows it. */
  | 'first-full-load'
  /** No full history stored yet but the plan does not allow it: start from the latest 100 days. */
  | 'first-load-compact-only'
  /** Regular daily update: compact covers everything since the last stored date. */
  | 'incremental'
  /** The gap since the last stored date is larger than compact covers, and the plan allows full. */
  | 'gap-recovery-full'
  /** The gap is larger than compact covers and full is not allowed: some days will be missing. */
  | 'gap-exceeds-compact';

export interface HistoryFetchWarning {
  readonly code: 'data-gap' | 'history-truncated';
  readonly message: string;
  /** Upper bound of trading days since the last stored date (weekdays; holidays are not modelled). */
  readonly tradingDaysSinceLastStored?: number;
}

export interface HistoryFetchPlan {
  readonly outputsize: 'compact' | 'full';
  readonly reason: HistoryFetchReason;
  /** Present when the plan knowingly leaves history out; the handler logs it and emits a metric. */
  readonly warning?: HistoryFetchWarning;
}

/**
 * Decides the `outputsize` of the next TIME_SERIES_DAILY request for one symbol.
 *
 * - No full load yet: `full` when the plan allows it (also after a plan upgrade, which backfills the
 *   history a compact-only start could not get), otherwise `compact` with a `history-truncated` warning.
 * - Afterwards: `compact`, unless more trading days have passed since `lastStoredDate` and since the last
 *   ask than compact returns. Then `full` if allowed (to close the gap), otherwise `compact` with a
 *   `data-gap` warning. Counting from the last ask keeps a delisted, halted or lagging symbol (newest bar far
 *   behind, nothing newer at AlphaVantage) on `compact`: only days after that ask can bring new bars, so a
 *   full download is asked at most once, when the symbol was not asked for more than compact covers.
 *
 * Trading days are estimated as weekdays, an upper bound (holidays are ignored), so the plan may warn or
 * fetch `full` a few days early but never misses a real gap.
 */
export function planHistoryFetch(input: HistoryFetchInput): HistoryFetchPlan {
  const today = assertIsoDate(input.today, 'today');
  const lastStoredDate =
    input.lastStoredDate === undefined ? undefined : assertIsoDate(input.lastStoredDate, 'lastStoredDate');
  assertBoolean(input.fullLoadDone, 'fullLoadDone');
  assertBoolean(input.planAllowsFull, 'planAllowsFull');

  if (!input.fullLoadDone) {
    if (input.planAllowsFull) return { outputsize: 'full', reason: 'first-full-load' };
    return {
      outputsize: 'compact',
      reason: 'first-load-compact-only',
      warning: {
        code: 'history-truncated',
        message: `plan does not allow outputsize=full: history before the latest ${COMPACT_TRADING_DAYS} trading days will be missing`,
      },
    };
  }

  if (lastStoredDate === undefined) return { outputsize: 'compact', reason: 'incremental' };
  const lastAskedDate =
    input.lastAskedDate === undefined ? undefined : assertIsoDate(input.lastAskedDate, 'lastAskedDate');
  const coveredThrough =
    lastAskedDate !== undefined && lastAskedDate > lastStoredDate ? lastAskedDate : lastStoredDate;
  const gap = countWeekdaysBetween(coveredThrough, today);
  if (gap <= COMPACT_TRADING_DAYS) return { outputsize: 'compact', reason: 'incremental' };
  if (input.planAllowsFull) return { outputsize: 'full', reason: 'gap-recovery-full' };
  return {
    outputsize: 'compact',
    reason: 'gap-exceeds-compact',
    warning: {
      code: 'data-gap',
      message:
        `up to ${gap} trading days since ${coveredThrough} but compact returns ${COMPACT_TRADING_DAYS} ` +
        'and the plan does not allow outputsize=full: the oldest missing days cannot be fetched',
      tradingDaysSinceLastStored: gap,
    },
  };
}

export interface SelectNewClosesOptions {
  /**
   * The date of a close that is still provisional: when AlphaVantage's "Last Refreshed" carries a
   * time-of-day, that day's "close" is an intraday price. It and any later date are left out so the day
   * is picked up once final; storing it would advance the last stored date past the real close, and a
   * provisional extreme could never be lowered again (see `mergeYearlyExtremes`).
   */
  readonly provisionalDate?: string;
}

/**
 * Closes dated after `lastStoredDate` (all of them when it is undefined), validated, de-duplicated and
 * oldest first: exactly what still needs to be merged. Re-fetching overlapping compact windows is
 * therefore harmless.
 */
export function selectNewCloses(
  closes: readonly DailyClose[],
  lastStoredDate: string | undefined,
  options: SelectNewClosesOptions = {},
): DailyClose[] {
  const after = lastStoredDate === undefined ? undefined : assertIsoDate(lastStoredDate, 'lastStoredDate');
  const before =
    options.provisionalDate === undefined
      ? undefined
      : assertIsoDate(options.provisionalDate, 'provisionalDate');
  return normalizeDailyCloses(closes).filter(
    (close) => (after === undefined || close.date > after) && (before === undefined || close.date < before),
  );
}

function assertBoolean(value: unknown, what: string): void {
  if (typeof value !== 'boolean')
    throw new DomainValidationError(`${what} must be a boolean, got ${typeof value}`);
}
