/**
 * Indicator collection: one configured technical indicator for one security. Stores the latest point and the
 * most recent points (newest first) under (symbol, indicator id).
 *
 * A `computed` indicator is calculated from the stored daily prices and costs no AlphaVantage call; an
 * `alphavantage` one is fetched, at most once per trading day after its close (freshness rules), and a replay
 * of an applied command finds its result stored and calls nothing.
 */
import { indicatorId, indicatorSource } from '../../model/config.ts';
import { indicatorFreshness } from '../../model/domain/freshness.ts';
import type { CollectIndicator } from '../../model/messages.ts';
import type { AlphaVantageApi } from '../shared/alphavantage/client.ts';
import { barsNeeded, computeIndicator, type PriceBar } from '../shared/domain/computed-indicator.ts';
import { PermanentError } from '../shared/errors.ts';
import { askRemembering, type NoDataMemory } from '../shared/no-data.ts';
import type { Snapshot } from '../shared/store/snapshots.ts';

/** Points kept per item: enough for a chart of the last weeks, far below DynamoDB's 400 KB item limit. */
export const RECENT_POINTS = 30;

export interface IndicatorDeps {
  alphaVantage: Pick<AlphaVantageApi, 'indicator'>;
  put(item: Snapshot): Promise<'written' | 'stale'>;
  /** `collectedAt` of the stored item, if any. */
  storedCollectedAt(symbol: string, indicator: string): Promise<string | undefined>;
  /** The newest `count` stored daily bars of the symbol, ascending by date. */
  recentBars(symbol: string, count: number): Promise<PriceBar[]>;
  /** Answers without data remembered per symbol and dataset (no call while one holds). */
  noData?: NoDataMemory;
}

export type IndicatorOutcome =
  | {
      result: 'written' | 'stale';
      indicator: string;
      source: 'computed' | 'alphavantage';
      latestDate: string;
    }
  | { result: 'fresh' | 'too-few-prices'; indicator: string; reason: string }
  | { result: 'no-data'; indicator: string; since: string; nextTryAt: string };

export async function collectIndicator(
  command: CollectIndicator,
  deps: IndicatorDeps,
): Promise<IndicatorOutcome> {
  const { symbol, indicator } = command;
  const id = indicatorId(indicator);
  const source = indicatorSource(indicator);
  let points: ({ date: string } & Record<string, number>)[];
  if (source === 'computed') {
    const bars = await deps.recentBars(symbol, barsNeeded(indicator, RECENT_POINTS));
    points = computeIndicator(indicator, bars, RECENT_POINTS);
    if (points.length === 0) {
      // The history handler publishes this command once the prices are stored, so a retry would find the same
      // ones: a symbol listed for fewer days than the indicator's period gets it with a later day's history.
      return {
        result: 'too-few-prices',
        indicator: id,
        reason: `${bars.length} daily prices stored, too few for ${id}`,
      };
    }
  } else {
    const freshness = indicatorFreshness(
      { collectedAt: await deps.storedCollectedAt(symbol, id) },
      new Date(command.issuedAt),
    );
    if (!freshness.call) return { result: 'fresh', indicator: id, reason: freshness.reason };
    const asked = await askRemembering(
      deps.noData,
      { symbol, dataset: `indicator:${id}` },
      command.issuedAt,
      () => deps.alphaVantage.indicator(symbol, indicator),
    );
    if (asked.kind === 'remembered') {
      return { result: 'no-data', indicator: id, since: asked.entry.since, nextTryAt: asked.entry.nextTryAt };
    }
    const series = asked.data;
    points = series.points
      .slice(0, RECENT_POINTS)
      .map(
        ({ timestamp: _timestamp, ...point }) =>
          point as unknown as { date: string } & Record<string, number>,
      );
  }
  const latest = points[0];
  if (!latest) throw new PermanentError('no-data', `${symbol}: ${indicator.function} returned no points`);
  const { date: latestDate, ...latestValues } = latest;
  const item: Snapshot = {
    symbol,
    indicator: id,
    function: indicator.function,
    interval: indicator.interval,
    timePeriod: indicator.timePeriod,
    seriesType: indicator.seriesType,
    source,
    latestDate,
    latest: latestValues,
    recent: points,
    collectedAt: command.issuedAt,
  };
  return { result: await deps.put(item), indicator: id, source, latestDate };
}
