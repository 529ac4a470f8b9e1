/**
 * The memory of answers without data (docs/decisions/0033-no-data-memory.md): an unknown symbol, an ETF without
 * overview, an empty or error answer is asked at most twice per occurrence (the client retries AlphaVantage's
 * transient `{}` once), then remembered per symbol and dataset with a growing back-off, so no call is bought
 * again on a known nothing. Pure: the handlers apply it through their store port, the run planner
 * (model/plan.ts) counts a remembered item as costing nothing, and the CLI shows the entries.
 */
import { addDays, easternDate, isTradingDay } from './exchange-calendar.ts';

/** One remembered answer without data, keyed by symbol and dataset. */
export interface NoDataEntry {
  symbol: string;
  /** `quote`, `history`, `overview`, or `indicator:<id>` (e.g. `indicator:SMA:weekly:20:close`). */
  dataset: string;
  /** The command time of the first answer without data of this run of them. */
  since: string;
  /** The command time of the last ask. */
  lastAskedAt: string;
  /** Answers without data in a row (each one after the previous back-off). */
  occurrences: number;
  /** No call before this instant (ISO). */
  nextTryAt: string;
  /** The failure's code (`no-data`, `api-error`) and AlphaVantage's answer, cut. */
  code: string;
  answer: string;
}

const DAY_MS = 86_400_000;
/** Back-offs after the second and later occurrences; the first waits for the next trading day's close. */
const WEEK_DAYS = 7;
const CAP_DAYS = 30;
/** After the last back-off the entry is kept this long, so a recurring nothing keeps its longer back-off. */
export const NO_DATA_RETENTION_DAYS = 90;
/** A UTC hour after every NYSE close (16:00 New York is 20:00 or 21:00 UTC). */
const AFTER_CLOSE_UTC = 'T22:00:00.000Z';

/** The trading day after the New York date of `now`, at an hour after its close. */
function afterNextTradingClose(now: Date): string {
  let day = addDays(easternDate(now), 1);
  while (!isTradingDay(day)) day = addDays(day, 1);
  return `${day}${AFTER_CLOSE_UTC}`;
}

/** When to ask again after the `occurrences`-th answer without data in a row, asked at `now`. */
export function nextNoDataTry(occurrences: number, now: Date): string {
  if (occurrences <= 1) return afterNextTradingClose(now);
  const days = occurrences === 2 ? WEEK_DAYS : CAP_DAYS;
  return new Date(now.getTime() + days * DAY_MS).toISOString();
}

/** Whether an entry holds the call back at `now` (the command's issuedAt). */
export function noDataHolds(entry: NoDataEntry | undefined, now: string): entry is NoDataEntry {
  return entry !== undefined && Date.parse(now) < Date.parse(entry.nextTryAt);
}

/** The entry after one more answer without data at `now` (`previous` is what was remembered before). */
export function rememberNoData(
  previous: NoDataEntry | undefined,
  answer: { symbol: string; dataset: string; code: string; message: string },
  now: string,
): NoDataEntry {
  const occurrences = (previous?.occurrences ?? 0) + 1;
  return {
    symbol: answer.symbol,
    dataset: answer.dataset,
    since: previous?.since ?? now,
    lastAskedAt: now,
    occurrences,
    nextTryAt: nextNoDataTry(occurrences, new Date(now)),
    code: answer.code,
    answer: answer.message.slice(0, 300),
  };
}

/** One line for operators: `ZZZZ quote: no data since 2026-12-05, next try 2026-12-07`. */
export function describeNoData(entry: NoDataEntry): string {
  return `${entry.symbol} ${entry.dataset}: no data since ${entry.since.slice(0, 10)}, next try ${entry.nextTryAt.slice(0, 10)} (${entry.code}, ${entry.occurrences}x)`;
}
