/**
 * Quote collection for one symbol: fetch GLOBAL_QUOTE, fold it into the rolling window of the last N quotes and
 * store latest quote + window with an optimistic-concurrency write. This replaces a Faust table: the state lives
 * in DynamoDB, and concurrent invocations for one symbol serialize on the item's version.
 *
 * Idempotent: the observation id is the command id, so a re-delivered command is recognised in the window and
 * writes nothing; it is recognised before the call, so it costs no call either. Quotes are fetched only while
 * the market can move them (freshness rules: in the session, or once after the close), and a quote identical
 * to one in the window (same trading day, price and volume) is not counted twice.
 */

import { QUOTE_APPLIED, quoteFreshness } from '../../model/domain/freshness.ts';
import { type CollectQuote, ISSUED_AT_TOLERANCE_MS } from '../../model/messages.ts';
import type { AlphaVantageApi } from '../shared/alphavantage/client.ts';
import {
  applyQuoteObservation,
  type QuoteObservation,
  type RollingAverageState,
} from '../shared/domain/rolling-average.ts';
import { TransientError } from '../shared/errors.ts';
import { askRemembering, type NoDataMemory } from '../shared/no-data.ts';
import type { LatestQuote, QuoteItem } from '../shared/store/quotes.ts';

export interface QuoteStore {
  get(symbol: string): Promise<QuoteItem | undefined>;
  /** @returns false when the stored version is no longer `expectedVersion`. */
  putIfVersion(item: QuoteItem, expectedVersion: number | undefined): Promise<boolean>;
}

export interface QuoteDeps {
  alphaVantage: Pick<AlphaVantageApi, 'globalQuote'>;
  store: QuoteStore;
  windowSize: number;
  /** Answers without data remembered per symbol and dataset (no call while one holds). */
  noData?: NoDataMemory;
  /** Attempts at the read-modify-write before giving up (a TransientError: the record is retried later). */
  maxConflicts?: number;
  /** The handler's clock, which judges stored observation times. @default the system clock */
  now?: () => Date;
}

export type QuoteOutcome =
  | { result: 'stored'; average: number; count: number; version: number; attempts: number }
  | { result: 'duplicate' }
  | { result: 'fresh'; reason: string }
  | { result: 'no-data'; since: string; nextTryAt: string };

/**
 * An observation time ahead of the handler's clock was written by a producer with a wrong clock (before every
 * consumer refused such commands): it is not trusted, so the stored quote counts as stale and is replaced.
 */
const inFuture = (observedAt: string, clock: Date) =>
  Date.parse(observedAt) > clock.getTime() + ISSUED_AT_TOLERANCE_MS;

const withoutFutureObservations = (rolling: RollingAverageState, clock: Date): RollingAverageState => ({
  ...rolling,
  observations: rolling.observations.filter((entry) => !inFuture(entry.observedAt, clock)),
});

/** Whether to call: not when this command is already applied or the stored quote is fresh enough. */
function quoteDecision(command: CollectQuote, before: QuoteItem | undefined, clock: Date) {
  return quoteFreshness(
    {
      applied: before?.rolling.observations.some((entry) => entry.id === command.commandId) ?? false,
      ...(before
        ? {
            lastObservedAt: before.latest.observedAt,
            lastTradingDay: before.latest.latestTradingDay,
            lastObservedInFuture: inFuture(before.latest.observedAt, clock),
          }
        : {}),
    },
    new Date(command.issuedAt),
  );
}

/** The answer as an observation for the rolling average and as the latest quote, stamped with the command. */
function quoteRecords(
  command: CollectQuote,
  quote: Awaited<ReturnType<AlphaVantageApi['globalQuote']>>,
): { observation: QuoteObservation; latest: LatestQuote } {
  const observation: QuoteObservation = {
    id: command.commandId,
    observedAt: command.issuedAt,
    price: quote.price,
    fingerprint: `${quote.latestTradingDay}|${quote.price}|${quote.volume}`,
  };
  const latest: LatestQuote = {
    symbol: command.symbol,
    price: quote.price,
    open: quote.open,
    high: quote.high,
    low: quote.low,
    volume: quote.volume,
    latestTradingDay: quote.latestTradingDay,
    previousClose: quote.previousClose,
    change: quote.change,
    changePercent: quote.changePercent,
    observedAt: command.issuedAt,
  };
  return { observation, latest };
}

/** Read-modify-write of the quote item, retried on a concurrent write up to `maxConflicts` times. */
async function storeObservation(
  command: CollectQuote,
  deps: QuoteDeps,
  records: { observation: QuoteObservation; latest: LatestQuote; before: QuoteItem | undefined; clock: Date },
): Promise<QuoteOutcome> {
  const { observation, latest, before, clock } = records;
  const maxConflicts = deps.maxConflicts ?? 8;
  for (let attempt = 1; attempt <= maxConflicts; attempt += 1) {
    const stored = attempt === 1 ? before : await deps.store.get(command.symbol);
    const rolling = stored && withoutFutureObservations(stored.rolling, clock);
    const update = applyQuoteObservation(rolling, observation, deps.windowSize);
    if (!update.changed) return { result: 'duplicate' };
    // The latest quote is the newest observation in the window, not the last one to arrive.
    const newest = update.state.observations.at(-1);
    const replacesLatest =
      !stored || newest?.id === observation.id || inFuture(stored.latest.observedAt, clock);
    const item: QuoteItem = {
      symbol: command.symbol,
      latest: replacesLatest ? latest : stored.latest,
      rolling: update.state,
    };
    if (await deps.store.putIfVersion(item, stored?.rolling.version)) {
      return {
        result: 'stored',
        average: update.state.average,
        count: update.state.count,
        version: update.state.version,
        attempts: attempt,
      };
    }
  }
  throw new TransientError(
    'write-conflict',
    `${command.symbol}: ${maxConflicts} concurrent-write conflicts in a row`,
  );
}

export async function collectQuote(command: CollectQuote, deps: QuoteDeps): Promise<QuoteOutcome> {
  const clock = deps.now?.() ?? new Date();
  const before = await deps.store.get(command.symbol);
  const freshness = quoteDecision(command, before, clock);
  if (!freshness.call) {
    return freshness.reason === QUOTE_APPLIED
      ? { result: 'duplicate' }
      : { result: 'fresh', reason: freshness.reason };
  }
  const asked = await askRemembering(
    deps.noData,
    { symbol: command.symbol, dataset: 'quote' },
    command.issuedAt,
    () => deps.alphaVantage.globalQuote(command.symbol),
  );
  if (asked.kind === 'remembered') {
    return { result: 'no-data', since: asked.entry.since, nextTryAt: asked.entry.nextTryAt };
  }
  return storeObservation(command, deps, { ...quoteRecords(command, asked.data), before, clock });
}
