/**
 * History collection for one symbol: plan the request size, fetch TIME_SERIES_DAILY, store the new daily bars,
 * fold their closes into the per-year extremes, then advance the watermark and record the ask (also when the
 * answer had nothing newer, so the next ask waits for the next close: ADR 0034). Then the configured computed
 * indicators follow: their commands are published once the closes they need are stored, also when the call was
 * skipped or brought nothing new, so a replay after a crash between storing and publishing still publishes them
 * (same ids, and computing costs no call). Dependencies are injected (ports), so this runs unchanged in Lambda,
 * in the local runner and in tests against the real emulator.
 */

import type { IndicatorConfig } from '../../model/config.ts';
import { latestClosedTradingDay } from '../../model/domain/exchange-calendar.ts';
import { historyFactsOf, historyFreshness } from '../../model/domain/freshness.ts';
import type { CollectHistory, CollectIndicator } from '../../model/messages.ts';
import type { AlphaVantageApi } from '../shared/alphavantage/client.ts';
import type { DailyBar } from '../shared/alphavantage/index.ts';
import type { DailySeries } from '../shared/alphavantage/time-series.ts';
import { followUpIndicators } from '../shared/domain/fan-out.ts';
import { planHistoryFetch, selectNewCloses } from '../shared/domain/history-plan.ts';
import { affectedYears, mergeYearlyExtremes, type YearExtremes } from '../shared/domain/yearly-extremes.ts';
import { PermanentError } from '../shared/errors.ts';
import { askRemembering, type NoDataMemory } from '../shared/no-data.ts';
import type { HistoryState } from '../shared/store/history.ts';

export interface HistoryStore {
  getState(symbol: string): Promise<HistoryState | undefined>;
  putBars(symbol: string, bars: readonly DailyBar[]): Promise<void>;
  getExtremes(symbol: string, years: readonly number[]): Promise<YearExtremes[]>;
  putExtremes(symbol: string, extremes: readonly YearExtremes[]): Promise<void>;
  putState(symbol: string, state: HistoryState): Promise<void>;
}

export interface HistoryDeps {
  alphaVantage: Pick<AlphaVantageApi, 'dailySeries'>;
  store: HistoryStore;
  /** The plan allows outputsize=full. */
  premium: boolean;
  /** Answers without data remembered per symbol and dataset (no call while one holds). */
  noData?: NoDataMemory;
  /** The configured computed indicators, published after the closes are stored. */
  computedIndicators: readonly IndicatorConfig[];
  publishIndicators(commands: CollectIndicator[]): Promise<void>;
  warn: (message: string, details: Record<string, unknown>) => void;
}

export interface HistoryOutcome {
  /** Set when the freshness rules skipped the call: why. */
  fresh?: string;
  /** Set when an answer without data is remembered for the symbol: no call before this instant. */
  noDataUntil?: string;
  outputsize: 'compact' | 'full';
  newBars: number;
  changedYears: number[];
  lastStoredDate: string | undefined;
  /** Computed-indicator commands published after the history was stored. */
  indicatorsPublished: number;
}

export async function collectHistory(command: CollectHistory, deps: HistoryDeps): Promise<HistoryOutcome> {
  const stored = await storeHistory(command, deps);
  const followUps = followUpIndicators(command, deps.computedIndicators);
  if (followUps.length > 0) await deps.publishIndicators(followUps);
  return { ...stored, indicatorsPublished: followUps.length };
}

type StoreOutcome = Omit<HistoryOutcome, 'indicatorsPublished'>;

async function storeHistory(command: CollectHistory, deps: HistoryDeps): Promise<StoreOutcome> {
  const { symbol } = command;
  if (command.outputsize === 'full' && !deps.premium) {
    throw new PermanentError(
      'premium-only',
      `${symbol}: outputsize=full requested but the plan is not premium`,
    );
  }
  const state = await deps.store.getState(symbol);
  const unchanged = { newBars: 0, changedYears: [], lastStoredDate: state?.lastStoredDate };
  const freshness = historyFreshness(
    historyFactsOf(state, command.outputsize === 'full'),
    new Date(command.issuedAt),
  );
  if (!freshness.call) {
    return { fresh: freshness.reason, outputsize: command.outputsize ?? 'compact', ...unchanged };
  }
  const outputsize = outputsizeFor(command, state, deps);
  const asked = await askRemembering(deps.noData, { symbol, dataset: 'history' }, command.issuedAt, () =>
    deps.alphaVantage.dailySeries(symbol, outputsize),
  );
  if (asked.kind === 'remembered') return { noDataUntil: asked.entry.nextTryAt, outputsize, ...unchanged };
  return { outputsize, ...(await storeAnswer(command, state, outputsize, asked.data, deps)) };
}

/**
 * The request size: the plan's (history-plan.ts), or a backfill's explicit one, except that `full` is never
 * asked again once a full history is stored: compact then covers every day since the last ask, unless the
 * plan itself finds a gap larger than compact returns.
 */
function outputsizeFor(
  command: CollectHistory,
  state: HistoryState | undefined,
  deps: HistoryDeps,
): 'compact' | 'full' {
  const plan = planHistoryFetch({
    ...(state ? { lastStoredDate: state.lastStoredDate } : {}),
    ...(state?.lastAskedAt ? { lastAskedDate: latestClosedTradingDay(new Date(state.lastAskedAt)) } : {}),
    fullLoadDone: state?.fullLoadDone ?? false,
    planAllowsFull: deps.premium,
    today: command.issuedAt.slice(0, 10),
  });
  if (plan.warning && (plan.warning.code === 'data-gap' || state === undefined)) {
    deps.warn(plan.warning.message, { symbol: command.symbol, code: plan.warning.code, reason: plan.reason });
  }
  if (command.outputsize === 'full' && state?.fullLoadDone) return plan.outputsize;
  return command.outputsize ?? plan.outputsize;
}

/**
 * Stores the bars of an answer newer than the stored ones, folds them into the yearly extremes, and records the
 * ask: when it was and the newest bar it brought, also when nothing was newer (a delisted, halted or lagging
 * symbol), so the freshness rules wait for the next close before asking again.
 */
async function storeAnswer(
  command: CollectHistory,
  state: HistoryState | undefined,
  outputsize: 'compact' | 'full',
  series: DailySeries,
  deps: HistoryDeps,
): Promise<Omit<StoreOutcome, 'outputsize'>> {
  const { symbol } = command;
  // When "Last Refreshed" carries a time of day, that day's close is still an intraday price: leave it out.
  const provisionalDate =
    series.meta && series.meta.lastRefreshed.length > 10 ? series.meta.lastRefreshedDate : undefined;
  const answered = series.bars
    .map((bar) => bar.date)
    .filter((date) => provisionalDate === undefined || date < provisionalDate)
    .reduce<string | undefined>(
      (newest, date) => (newest === undefined || date > newest ? date : newest),
      undefined,
    );
  const ask = {
    lastAskedAt:
      state?.lastAskedAt && state.lastAskedAt > command.issuedAt ? state.lastAskedAt : command.issuedAt,
    ...(answered ? { lastAnsweredDate: answered } : {}),
  };
  const newCloses = selectNewCloses(
    series.bars.map((bar) => ({ date: bar.date, close: bar.close })),
    state?.lastStoredDate,
    provisionalDate ? { provisionalDate } : {},
  );
  if (newCloses.length === 0) {
    if (state) await deps.store.putState(symbol, { ...state, ...ask });
    return { newBars: 0, changedYears: [], lastStoredDate: state?.lastStoredDate };
  }

  const newDates = new Set(newCloses.map((close) => close.date));
  const newBars = series.bars.filter((bar) => newDates.has(bar.date));
  const existing = await deps.store.getExtremes(symbol, affectedYears(newCloses));
  const merge = mergeYearlyExtremes(existing, newCloses);

  // Order matters for crash safety: bars, then extremes, then the watermark (see HistoryState).
  await deps.store.putBars(symbol, newBars);
  await deps.store.putExtremes(symbol, merge.changed);
  const newest = newCloses.at(-1)?.date;
  const oldest = newCloses[0]?.date;
  if (newest === undefined || oldest === undefined) throw new Error('unreachable: new closes are not empty');
  await deps.store.putState(symbol, {
    lastStoredDate: newest,
    firstStoredDate: state && state.firstStoredDate < oldest ? state.firstStoredDate : oldest,
    fullLoadDone: (state?.fullLoadDone ?? false) || outputsize === 'full',
    ...ask,
  });
  return {
    newBars: newBars.length,
    changedYears: merge.changed.map((year) => year.year),
    lastStoredDate: newest,
  };
}
