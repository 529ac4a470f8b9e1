/**
 * Indicator collection: one configured technical indicator for one security. Stores the latest point and the
 * most recent points (newest first) under (symbol, indicator id).
 */
import { indicatorId } from '../../model/config.ts';
import type { CollectIndicator } from '../../model/messages.ts';
import type { AlphaVantageApi } from '../shared/alphavantage/client.ts';
import { PermanentError } from '../shared/errors.ts';
import type { Snapshot } from '../shared/store/snapshots.ts';

/** Points kept per item: enough for a chart of the last weeks, far below DynamoDB's 400 KB item limit. */
export const RECENT_POINTS = 30;

export interface IndicatorDeps {
  alphaVantage: Pick<AlphaVantageApi, 'indicator'>;
  put(item: Snapshot): Promise<'written' | 'stale'>;
}

export async function collectIndicator(command: CollectIndicator, deps: IndicatorDeps) {
  const { symbol, indicator } = command;
  const series = await deps.alphaVantage.indicator(symbol, indicator);
  const points = series.points.slice(0, RECENT_POINTS).map(({ timestamp: _timestamp, ...point }) => point);
  const latest = points[0];
  if (!latest) throw new PermanentError('no-data', `${symbol}: ${indicator.function} returned no points`);
  const { date: latestDate, ...latestValues } = latest;
  const item: Snapshot = {
    symbol,
    indicator: indicatorId(indicator),
    function: indicator.function,
    interval: indicator.interval,
    timePeriod: indicator.timePeriod,
    seriesType: indicator.seriesType,
    latestDate,
    latest: latestValues,
    recent: points,
    collectedAt: command.issuedAt,
  };
  return { result: await deps.put(item), indicator: item.indicator, latestDate };
}
