/**
 * Freshness rules: before a call to AlphaVantage, decide from what is stored whether the data can have changed
 * since. Pure and table-driven: each dataset has an ordered list of rules, the first whose `applies` holds
 * decides, and its `when` is the reason the handler logs. The handlers' collect.ts apply them through their
 * injected store ports; the daily plan (model/plan.ts) runs the same rules over a simulated month, so the
 * budget it prints is the one the handlers spend.
 *
 * `now` is the command's `issuedAt` (the schedule's firing time), not the wall clock: a replay of a command
 * judges exactly as its first delivery did, and a replay of an applied command finds its own result stored.
 */
import { isAfterClose, isMarketOpen, latestClosedTradingDay } from './exchange-calendar.ts';

export interface FreshnessDecision {
  /** Whether the call is needed. */
  call: boolean;
  /** Why, for the log line: the `when` of the rule that decided. */
  reason: string;
}

interface Rule<Facts> {
  when: string;
  applies(facts: Facts, now: Date): boolean;
  call: boolean;
}

/** What the quote handler has stored for a symbol. */
export interface QuoteFacts {
  /** The command's observation is already in the rolling window (a re-delivery). */
  applied: boolean;
  /** When the stored latest quote was taken; absent when nothing is stored. */
  lastObservedAt?: string;
  /** AlphaVantage's own date of the stored quote (`latest trading day`); absent in quotes stored before it. */
  lastTradingDay?: string;
  /**
   * The stored quote's `lastObservedAt` lies ahead of the handler's clock: a producer's wrong clock wrote it, so
   * it says nothing about when the quote was taken.
   */
  lastObservedInFuture?: boolean;
}

/** What the history handler has stored for a symbol. */
export interface HistoryFacts {
  /** Newest stored trading day; absent when nothing is stored. */
  lastStoredDate?: string;
  fullLoadDone: boolean;
  /** The command asks for outputsize=full (a backfill). */
  requestedFull: boolean;
  /**
   * The issue time of the last command that asked AlphaVantage and got bars, newer or not; absent in states
   * stored before the ask was recorded.
   */
  lastAskedAt?: string;
}

/** The parts of a stored history state (functions/shared/store/history.ts) the rules read. */
export interface StoredHistoryAsk {
  lastStoredDate: string;
  fullLoadDone: boolean;
  lastAskedAt?: string;
}

/** The history facts of a stored state (undefined: nothing stored) for a command that may ask for `full`. */
export function historyFactsOf(stored: StoredHistoryAsk | undefined, requestedFull: boolean): HistoryFacts {
  return {
    ...(stored ? { lastStoredDate: stored.lastStoredDate } : {}),
    fullLoadDone: stored?.fullLoadDone ?? false,
    requestedFull,
    ...(stored?.lastAskedAt ? { lastAskedAt: stored.lastAskedAt } : {}),
  };
}

/** A stored snapshot (overview and statements, or an indicator fetched from AlphaVantage). */
export interface SnapshotFacts {
  /** `collectedAt` of the stored item: the issue time of the command that wrote it. */
  collectedAt?: string;
}

export interface FundamentalsFacts extends SnapshotFacts {
  /** Newest fiscal period end stored: the overview's LatestQuarter or a statement's fiscalDateEnding. */
  latestPeriodEnd?: string;
  /**
   * Answers in a row, the last at `collectedAt`, that were behind: a quarter after their newest fiscal period
   * had already ended (AlphaVantage still served the old report); 0 or absent otherwise.
   */
  unchangedAsks?: number;
  /** Refetch when the stored copy is this many days old. */
  maxAgeDays: number;
}

const DAY_MS = 86_400_000;

/** A stored item written by this command or a later one: the call would fetch what is already there. */
const alreadyApplied = (facts: SnapshotFacts, now: Date) =>
  facts.collectedAt !== undefined && Date.parse(facts.collectedAt) >= now.getTime();

/** End of the fiscal quarter after the one ending `periodEnd` (quarter ends are month ends). */
export function nextPeriodEnd(periodEnd: string): string {
  const [year, month] = periodEnd.split('-').map(Number) as [number, number];
  // Day 0 of the month after next-plus-two is the last day of the quarter's final month.
  return new Date(Date.UTC(year, month + 3, 0)).toISOString().slice(0, 10);
}

/** Whether the fiscal quarter after the one ending `periodEnd` had ended by `now`. */
const newerPeriodEnded = (periodEnd: string, now: Date) =>
  nextPeriodEnd(periodEnd) < now.toISOString().slice(0, 10);

/** Back-off after the first and second ask that brought no newer fiscal period; later ones wait the maximum age. */
const FUNDAMENTALS_BACKOFF_DAYS = [7, 14] as const;

/**
 * Days to wait after the `unchangedAsks`-th ask in a row that brought no newer fiscal period: 7, then 14, then
 * the maximum age, never longer than it (the maximum-age rule refreshes the copy then anyway). A report is filed
 * weeks after its quarter ends (10-Q within 40-45 days, 10-K within 60-90), so asking every cycle in between
 * buys the same report again and again; a week first catches an early filer, and the cap bounds the delay.
 */
export function fundamentalsBackoffDays(unchangedAsks: number, maxAgeDays: number): number {
  return Math.min(FUNDAMENTALS_BACKOFF_DAYS[unchangedAsks - 1] ?? maxAgeDays, maxAgeDays);
}

/**
 * `unchangedAsks` after an answer at `now` whose newest fiscal period end is `answeredPeriodEnd` (undefined:
 * none in the answer), given what was stored before. An answer is behind when a quarter after its newest
 * period has already ended: then one more ask in a row if it brought nothing newer than the stored copy, 1 if
 * it brought a newer period that is still behind. An answer that is not behind resets the count to 0.
 */
export function unchangedAsksAfter(
  before: Pick<FundamentalsFacts, 'latestPeriodEnd' | 'unchangedAsks'>,
  answeredPeriodEnd: string | undefined,
  now: Date,
): number {
  const stored = before.latestPeriodEnd;
  const newest = answeredPeriodEnd ?? stored;
  if (newest === undefined || !newerPeriodEnded(newest, now)) return 0;
  const broughtNewer = stored === undefined || newest > stored;
  return broughtNewer ? 1 : (before.unchangedAsks ?? 0) + 1;
}

/** The reason of a fundamentals call held back after an answer with no newer fiscal period. */
export const FUNDAMENTALS_BACKING_OFF =
  'AlphaVantage had no newer fiscal period at the last ask: backing off';

/** The reason of a history call held back: AlphaVantage was asked after the last close. */
export const HISTORY_ASKED_SINCE_CLOSE =
  'AlphaVantage was asked after the last close: nothing newer can exist yet';

/** The reason of a replayed quote command, which the quote handler reports as a duplicate. */
export const QUOTE_APPLIED = 'this command was already applied';

export const QUOTE_RULES: readonly Rule<QuoteFacts>[] = [
  { when: QUOTE_APPLIED, applies: (facts) => facts.applied, call: false },
  { when: 'no quote stored yet', applies: (facts) => facts.lastObservedAt === undefined, call: true },
  {
    when: 'the stored quote claims to be observed in the future',
    applies: (facts) => facts.lastObservedInFuture === true,
    call: true,
  },
  { when: 'the market is open', applies: (_facts, now) => isMarketOpen(now), call: true },
  {
    // AlphaVantage's date of the quote first: a time taken from a producer's clock alone does not decide.
    when: 'the stored quote predates the last close',
    applies: (facts, now) => {
      const lastClose = latestClosedTradingDay(now);
      if (facts.lastTradingDay !== undefined && facts.lastTradingDay < lastClose) return true;
      return !isAfterClose(new Date(facts.lastObservedAt as string), lastClose);
    },
    call: true,
  },
  { when: 'the market has not traded since the stored quote', applies: () => true, call: false },
];

export const HISTORY_RULES: readonly Rule<HistoryFacts>[] = [
  { when: 'no history stored yet', applies: (facts) => facts.lastStoredDate === undefined, call: true },
  {
    when: 'a full load was requested and none is done',
    applies: (facts) => facts.requestedFull && !facts.fullLoadDone,
    call: true,
  },
  {
    when: 'the newest closed trading day is stored',
    applies: (facts, now) => (facts.lastStoredDate as string) >= latestClosedTradingDay(now),
    call: false,
  },
  {
    // A delisted, halted or lagging symbol: AlphaVantage's answer had nothing newer, and a newer bar can only
    // come with the next close after the ask. Replays and older commands land here too: their ask is done.
    when: HISTORY_ASKED_SINCE_CLOSE,
    applies: (facts, now) =>
      facts.lastAskedAt !== undefined &&
      latestClosedTradingDay(new Date(facts.lastAskedAt)) >= latestClosedTradingDay(now),
    call: false,
  },
  { when: 'a trading day closed after the newest stored one', applies: () => true, call: true },
];

/** Indicators fetched from AlphaVantage: once per trading day, after its close. */
export const INDICATOR_RULES: readonly Rule<SnapshotFacts>[] = [
  { when: 'this command or a later one was already applied', applies: alreadyApplied, call: false },
  { when: 'no indicator stored yet', applies: (facts) => facts.collectedAt === undefined, call: true },
  {
    when: 'the stored indicator predates the last close',
    applies: (facts, now) =>
      !isAfterClose(new Date(facts.collectedAt as string), latestClosedTradingDay(now)),
    call: true,
  },
  { when: 'the stored indicator includes the last close', applies: () => true, call: false },
];

export const FUNDAMENTALS_RULES: readonly Rule<FundamentalsFacts>[] = [
  { when: 'this command or a later one was already applied', applies: alreadyApplied, call: false },
  { when: 'no overview stored yet', applies: (facts) => facts.collectedAt === undefined, call: true },
  {
    when: 'the stored overview reached its maximum age',
    applies: (facts, now) =>
      now.getTime() - Date.parse(facts.collectedAt as string) >= facts.maxAgeDays * DAY_MS,
    call: true,
  },
  {
    when: 'no fiscal period is stored',
    applies: (facts) => facts.latestPeriodEnd === undefined,
    call: true,
  },
  {
    when: FUNDAMENTALS_BACKING_OFF,
    applies: (facts, now) =>
      (facts.unchangedAsks ?? 0) > 0 &&
      now.getTime() - Date.parse(facts.collectedAt as string) <
        fundamentalsBackoffDays(facts.unchangedAsks ?? 0, facts.maxAgeDays) * DAY_MS,
    call: false,
  },
  {
    when: 'a newer fiscal period has ended',
    applies: (facts, now) => newerPeriodEnded(facts.latestPeriodEnd as string, now),
    call: true,
  },
  { when: 'no newer fiscal period can exist yet', applies: () => true, call: false },
];

/** The decision of the first rule that applies. */
export function decide<Facts>(rules: readonly Rule<Facts>[], facts: Facts, now: Date): FreshnessDecision {
  for (const rule of rules) {
    if (rule.applies(facts, now)) return { call: rule.call, reason: rule.when };
  }
  // Every table ends with a catch-all rule.
  throw new Error('unreachable: no freshness rule applied');
}

export const quoteFreshness = (facts: QuoteFacts, now: Date) => decide(QUOTE_RULES, facts, now);
export const historyFreshness = (facts: HistoryFacts, now: Date) => decide(HISTORY_RULES, facts, now);
export const indicatorFreshness = (facts: SnapshotFacts, now: Date) => decide(INDICATOR_RULES, facts, now);
export const fundamentalsFreshness = (facts: FundamentalsFacts, now: Date) =>
  decide(FUNDAMENTALS_RULES, facts, now);
