/**
 * collectIndicator (functions/indicators/collect.ts) with the REAL AlphaVantage client against an in-process
 * simulator: one snapshot per (symbol, indicator id) with the latest point and the most recent points.
 */
import { describe, expect, it } from 'vitest';
import { collectIndicator, RECENT_POINTS } from '../../functions/indicators/collect.ts';
import { PermanentError } from '../../functions/shared/errors.ts';
import type { Snapshot } from '../../functions/shared/store/snapshots.ts';
import { dailySeriesFor, lastTradingDate, sma } from '../../localstack/simulator/index.ts';
import type { CollectIndicator, IndicatorSpec } from '../../model/messages.ts';
import { useSimulatorClient } from '../support/simulator-client.ts';

const NOW = '2026-05-15T21:45:00Z';

const command = (symbol: string, indicator: IndicatorSpec): CollectIndicator => ({
  type: 'collect-indicator',
  v: 1,
  commandId: `indicator-${symbol}-${indicator.function}`,
  correlationId: `indicators-daily@${NOW}`,
  issuedAt: NOW,
  symbol,
  indicator,
});

const av = useSimulatorClient({ now: NOW });

function recordingPut() {
  const items: Snapshot[] = [];
  return {
    items,
    put: async (item: Snapshot) => {
      items.push(structuredClone(item));
      return 'written' as const;
    },
  };
}

describe('collectIndicator against the simulator', () => {
  it('stores the latest SMA value and the recent points, newest first, under a stable indicator id', async () => {
    // Prepare
    const { items, put } = recordingPut();
    const spec: IndicatorSpec = { function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' };
    const closes = dailySeriesFor('IBM', new Date(NOW)).map((bar) => bar.close);

    // Act
    const outcome = await collectIndicator(command('IBM', spec), { alphaVantage: av.client, put });

    // Assess
    const expectedLatest = sma(closes, 20).at(-1) ?? Number.NaN;
    expect(outcome).toEqual({
      result: 'written',
      indicator: 'SMA:daily:20:close',
      latestDate: lastTradingDate(new Date(NOW)),
    });
    const [item] = items;
    expect(item).toMatchObject({
      symbol: 'IBM',
      indicator: 'SMA:daily:20:close',
      function: 'SMA',
      interval: 'daily',
      timePeriod: 20,
      seriesType: 'close',
      latestDate: '2026-05-15',
      collectedAt: NOW,
    });
    expect((item?.latest as { value?: number } | undefined)?.value).toBeCloseTo(expectedLatest, 3);
    const recent = (item?.recent ?? []) as Array<Record<string, unknown>>;
    expect(recent).toHaveLength(RECENT_POINTS);
    const dates = recent.map((point) => point.date as string);
    expect(dates).toEqual([...dates].sort().reverse());
    expect(recent.some((point) => 'timestamp' in point)).toBe(false);
  });

  it('identifies MACD without a time period and stores all three of its values', async () => {
    // Prepare
    const { items, put } = recordingPut();
    const spec: IndicatorSpec = { function: 'MACD', interval: 'daily', timePeriod: 20, seriesType: 'close' };

    // Act
    const outcome = await collectIndicator(command('MSFT', spec), { alphaVantage: av.client, put });

    // Assess
    expect(outcome.indicator).toBe('MACD:daily:close');
    expect(Object.keys(items[0]?.latest as object).sort()).toEqual(['histogram', 'macd', 'signal']);
  });

  it('uses the weekly series when asked, keyed by the week’s last trading day', async () => {
    // Prepare
    const { items, put } = recordingPut();
    const spec: IndicatorSpec = { function: 'RSI', interval: 'weekly', timePeriod: 14, seriesType: 'close' };

    // Act
    const outcome = await collectIndicator(command('AAPL', spec), { alphaVantage: av.client, put });

    // Assess
    expect(outcome.indicator).toBe('RSI:weekly:14:close');
    const dates = ((items[0]?.recent ?? []) as Array<{ date: string }>).map((point) => point.date);
    // One point per calendar week (Monday-based), consecutive weeks, newest first.
    const mondayOf = (date: string) => {
      const day = new Date(`${date}T00:00:00Z`);
      return day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000;
    };
    for (let index = 1; index < dates.length; index += 1) {
      const weeks = (mondayOf(dates[index - 1] ?? '') - mondayOf(dates[index] ?? '')) / (7 * 86_400_000);
      expect(weeks, `${dates[index - 1]} after ${dates[index]}`).toBe(1);
    }
  });

  it('fails permanently, writing nothing, for a symbol AlphaVantage does not know', async () => {
    // Prepare
    const { items, put } = recordingPut();
    const spec: IndicatorSpec = { function: 'EMA', interval: 'daily', timePeriod: 20, seriesType: 'close' };

    // Act
    const run = collectIndicator(command('UNKNOWN', spec), { alphaVantage: av.client, put });

    // Assess
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof PermanentError && error.code === 'api-error',
    );
    expect(items).toEqual([]);
  });
});
