/**
 * collectIndicator (functions/indicators/collect.ts) with the REAL AlphaVantage client against an in-process
 * simulator: one snapshot per (symbol, indicator id) with the latest point and the most recent points. Fetched
 * indicators call at most once per closed trading day; computed ones call nothing and equal what the
 * simulator serves and what AlphaVantage itself served (real MSFT responses of 2017, test/fixtures/alphavantage).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectIndicator, RECENT_POINTS } from '../../functions/indicators/collect.ts';
import type { PriceBar } from '../../functions/shared/domain/computed-indicator.ts';
import { PermanentError } from '../../functions/shared/errors.ts';
import type { Snapshot } from '../../functions/shared/store/snapshots.ts';
import { dailySeriesFor, lastTradingDate, sma } from '../../localstack/simulator/index.ts';
import type { CollectIndicator, IndicatorSpec } from '../../model/messages.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';
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
    storedCollectedAt: async () => undefined,
    recentBars: async (): Promise<PriceBar[]> => [],
  };
}

/** Stored bars as the history handler leaves them: the simulator's daily series up to NOW. */
function storedBars(symbol: string, now = NOW) {
  const bars = dailySeriesFor(symbol, new Date(now));
  return async (_symbol: string, count: number): Promise<PriceBar[]> => bars.slice(-count);
}

/** An AlphaVantage port that fails the test if a computed indicator calls it. */
const noCalls = {
  indicator: async () => {
    throw new Error('a computed indicator called AlphaVantage');
  },
};

describe('collectIndicator against the simulator', () => {
  it('stores the latest SMA value and the recent points, newest first, under a stable indicator id', async () => {
    // Prepare
    const ports = recordingPut();
    const { items } = ports;
    const spec: IndicatorSpec = {
      function: 'SMA',
      interval: 'daily',
      timePeriod: 20,
      seriesType: 'close',
      source: 'alphavantage',
    };
    const closes = dailySeriesFor('IBM', new Date(NOW)).map((bar) => bar.close);

    // Act
    const outcome = await collectIndicator(command('IBM', spec), { alphaVantage: av.client, ...ports });

    // Assess
    const expectedLatest = sma(closes, 20).at(-1) ?? Number.NaN;
    expect(outcome).toEqual({
      result: 'written',
      indicator: 'SMA:daily:20:close',
      source: 'alphavantage',
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
    const ports = recordingPut();
    const { items } = ports;
    const spec: IndicatorSpec = {
      function: 'MACD',
      interval: 'daily',
      timePeriod: 20,
      seriesType: 'close',
      source: 'alphavantage',
    };

    // Act
    const outcome = await collectIndicator(command('MSFT', spec), { alphaVantage: av.client, ...ports });

    // Assess
    expect(outcome.indicator).toBe('MACD:daily:close');
    expect(Object.keys(items[0]?.latest as object).sort()).toEqual(['histogram', 'macd', 'signal']);
  });

  it('uses the weekly series when asked, keyed by the week’s last trading day', async () => {
    // Prepare
    const ports = recordingPut();
    const { items } = ports;
    const spec: IndicatorSpec = { function: 'RSI', interval: 'weekly', timePeriod: 14, seriesType: 'close' };

    // Act
    const outcome = await collectIndicator(command('AAPL', spec), { alphaVantage: av.client, ...ports });

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
    const ports = recordingPut();
    const { items } = ports;
    const spec: IndicatorSpec = {
      function: 'EMA',
      interval: 'daily',
      timePeriod: 20,
      seriesType: 'close',
      source: 'alphavantage',
    };

    // Act
    const run = collectIndicator(command('UNKNOWN', spec), { alphaVantage: av.client, ...ports });

    // Assess
    await expect(run).rejects.toSatisfy(
      (error) => error instanceof PermanentError && error.code === 'api-error',
    );
    expect(items).toEqual([]);
  });
});

describe('fetched indicators call once per closed trading day', () => {
  const spec: IndicatorSpec = {
    function: 'RSI',
    interval: 'daily',
    timePeriod: 14,
    seriesType: 'close',
    source: 'alphavantage',
  };

  it.each([
    ['collected after the last close (Friday 17:45 ET)', '2026-05-15T21:45:00Z', false],
    ['replayed: the stored item is this command', NOW, false],
    ['collected before the last close (Friday 15:00 ET)', '2026-05-15T19:00:00Z', true],
  ])('%s -> calls: %s', async (_case, collectedAt, calls) => {
    const ports = { ...recordingPut(), storedCollectedAt: async () => collectedAt };
    const before = av.simulator.stats().requests.total;

    const outcome = await collectIndicator(command('IBM', spec), { alphaVantage: av.client, ...ports });

    expect(av.simulator.stats().requests.total - before).toBe(calls ? 1 : 0);
    expect(outcome.result).toBe(calls ? 'written' : 'fresh');
    expect(ports.items).toHaveLength(calls ? 1 : 0);
  });
});

describe('computed indicators', () => {
  const DEFAULTS: IndicatorSpec[] = [
    { function: 'SMA', interval: 'daily', timePeriod: 20, seriesType: 'close' },
    { function: 'EMA', interval: 'daily', timePeriod: 20, seriesType: 'close' },
    { function: 'RSI', interval: 'daily', timePeriod: 14, seriesType: 'close' },
    { function: 'MACD', interval: 'daily', timePeriod: 20, seriesType: 'close' },
    { function: 'BBANDS', interval: 'daily', timePeriod: 20, seriesType: 'close' },
  ];

  it.each(DEFAULTS.map((spec) => [spec.function, spec] as const))(
    '%s from the stored bars equals what the simulator serves, without a call',
    async (_name, spec) => {
      const computed = { ...recordingPut(), recentBars: storedBars('NVDA') };
      const fetched = recordingPut();

      const outcome = await collectIndicator(command('NVDA', spec), { alphaVantage: noCalls, ...computed });
      await collectIndicator(command('NVDA', { ...spec, source: 'alphavantage' }), {
        alphaVantage: av.client,
        ...fetched,
      });

      expect(outcome).toMatchObject({ result: 'written', source: 'computed', latestDate: '2026-05-15' });
      const [ours] = computed.items;
      const [theirs] = fetched.items;
      expect(ours?.recent).toHaveLength(RECENT_POINTS);
      expect(ours?.recent).toEqual(theirs?.recent);
      expect(ours?.latest).toEqual(theirs?.latest);
    },
  );

  it('writes nothing and is not retried while too few daily prices are stored', async () => {
    const ports = recordingPut();
    const spec = DEFAULTS[2] as IndicatorSpec;

    const outcome = await collectIndicator(command('IBM', spec), { alphaVantage: noCalls, ...ports });

    expect(outcome).toMatchObject({
      result: 'too-few-prices',
      reason: expect.stringContaining('0 daily prices'),
    });
    expect(ports.items).toEqual([]);
  });
});

/**
 * AlphaVantage's own MSFT values of 2017-11-03, computed over the whole history since 2000: the excerpts
 * (test/fixtures/PROVENANCE.md) keep the last 330 daily bars (2016-07-18..2017-11-03) and the newest 30 points of
 * SMA(10), EMA(10), RSI(10) and MACD(12, 26, 9); the indicators computed from those bars alone must equal them.
 */
describe('computed indicators equal AlphaVantage’s values', () => {
  const RECENT_WINDOW_START = '2016-07-18';
  const series = (file: string, key: string) =>
    JSON.parse(readFileSync(join(ALPHAVANTAGE_FIXTURES_DIR, file), 'utf8'))[key] as Record<
      string,
      Record<string, string>
    >;
  /** The excerpt's last window, ascending (it also keeps the first 60 bars of 2000, left out here). */
  const recent = Object.entries(series('TIME_SERIES_DAILY-MSFT-full-2017.json', 'Time Series (Daily)'))
    .filter(([date]) => date >= RECENT_WINDOW_START)
    .sort(([left], [right]) => (left < right ? -1 : 1))
    .map(([date, bar]): PriceBar => {
      const price = (field: string) => Number(bar[field]);
      return {
        date,
        open: price('1. open'),
        high: price('2. high'),
        low: price('3. low'),
        close: price('4. close'),
      };
    });
  const issuedAt = '2017-11-03T21:45:00Z';
  const fields: Record<string, Record<string, string>> = {
    SMA: { SMA: 'value' },
    EMA: { EMA: 'value' },
    RSI: { RSI: 'value' },
    MACD: { MACD: 'macd', MACD_Signal: 'signal', MACD_Hist: 'histogram' },
  };

  it.each([
    ['SMA', 10],
    ['EMA', 10],
    ['RSI', 10],
    ['MACD', 26],
  ] as const)('%s', async (fn, timePeriod) => {
    const ports = {
      ...recordingPut(),
      recentBars: async (_symbol: string, count: number) => {
        expect(count).toBeLessThanOrEqual(recent.length);
        return recent.slice(-count);
      },
    };
    const spec: IndicatorSpec = { function: fn, interval: 'daily', timePeriod, seriesType: 'close' };

    await collectIndicator({ ...command('MSFT', spec), issuedAt }, { alphaVantage: noCalls, ...ports });

    const expected = Object.entries(series(`${fn}-MSFT-daily-2017.json`, `Technical Analysis: ${fn}`))
      .filter(([date]) => date >= RECENT_WINDOW_START)
      .map(([date, row]) => ({
        date,
        ...Object.fromEntries(
          Object.entries(fields[fn] ?? {}).map(([column, field]) => [field, Number(row[column])]),
        ),
      }));
    expect(expected).toHaveLength(RECENT_POINTS);
    expect(ports.items[0]?.recent).toEqual(expected);
  });
});
