/**
 * Two independent implementations checked against each other: the simulator's own trading calendar and
 * indicator maths (localstack/simulator/calendar.ts, indicators.ts) and the product's
 * (model/domain/exchange-calendar.ts, functions/shared/domain/indicators.ts). The simulator imports nothing of the
 * product (checked first below), so a bug in either shows here as a difference, on every
 * day from the synthetic history's first year to well past today and on the closes of real AlphaVantage
 * histories (test/fixtures/alphavantage).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as productIndicators from '../../functions/shared/domain/indicators.ts';
import * as simulator from '../../localstack/simulator/calendar.ts';
import * as simulatorIndicators from '../../localstack/simulator/indicators.ts';
import * as product from '../../model/domain/exchange-calendar.ts';
import { ALPHAVANTAGE_FIXTURES_DIR } from '../support/fixtures.ts';

type Values = readonly (number | undefined)[];

/** Same definedness at every index, and values equal to 1e-9 relative (the two sum in different orders). */
function expectSameSeries(simulated: Values, computed: Values, label: string): void {
  expect(simulated.length, label).toBe(computed.length);
  const mismatches = simulated
    .map((value, index) => ({ index, value, other: computed[index] }))
    .filter(({ value, other }) =>
      value === undefined || other === undefined
        ? value !== other
        : Math.abs(value - other) > 1e-9 * Math.max(1, Math.abs(other)),
    );
  expect(mismatches.slice(0, 3), label).toEqual([]);
}

/** Closes (oldest first) of a real daily history, read without either implementation's parser. */
function realCloses(file: string): number[] {
  const text = readFileSync(join(ALPHAVANTAGE_FIXTURES_DIR, file), 'utf8');
  const rows = file.endsWith('.json')
    ? Object.entries(JSON.parse(text)['Time Series (Daily)'] as Record<string, Record<string, string>>).map(
        ([date, bar]) => [date, Number(bar['4. close'])] as const,
      )
    : text
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((line) => line.split(','))
        .map((fields) => [fields[0] ?? '', Number(fields[4])] as const);
  return rows.sort(([a], [b]) => a.localeCompare(b)).map(([, close]) => close);
}

const SIMULATOR_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../localstack/simulator');

describe('the simulator stands on its own feet', () => {
  it('imports only its own files, Node built-ins and npm packages', () => {
    const files = readdirSync(SIMULATOR_DIR, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('.ts'),
    );
    expect(files.length).toBeGreaterThan(10);
    const outside: string[] = [];
    for (const file of files) {
      const source = readFileSync(join(SIMULATOR_DIR, file), 'utf8');
      for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        if (specifier === undefined || !specifier.startsWith('.')) continue;
        const target = resolve(dirname(join(SIMULATOR_DIR, file)), specifier);
        if (!target.startsWith(`${SIMULATOR_DIR}/`)) outside.push(`${file} -> ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });
});

describe('trading calendar: simulator and product agree', () => {
  const years = Array.from({ length: 2035 - 1990 + 1 }, (_, offset) => 1990 + offset);

  it.each(years)('holidays of %i', (year) => {
    expect(simulator.nyseHolidays(year)).toEqual(product.nyseHolidays(year));
  });

  it('every day 1990-2035: trading day or not, and the latest trading day on or before it', () => {
    const disagreements: string[] = [];
    for (let day = '1990-01-01'; day <= '2035-12-31'; day = product.addDays(day, 1)) {
      if (simulator.isTradingDay(day) !== product.isTradingDay(day)) disagreements.push(`${day} trading`);
      if (simulator.latestTradingDayOnOrBefore(day) !== product.latestTradingDayOnOrBefore(day))
        disagreements.push(`${day} latest`);
    }
    expect(disagreements).toEqual([]);
  });

  it.each([
    ['1999-11-01', '2026-05-15'],
    ['2001-09-07', '2001-09-20'],
    ['2012-10-26', '2012-11-02'],
    ['2024-12-20', '2025-01-15'],
  ])('trading days from %s to %s', (start, end) => {
    expect(simulator.tradingDaysBetween(start, end)).toEqual(product.tradingDaysBetween(start, end));
  });

  it('Easter, date arithmetic and the New York date at instants around midnight and DST changes', () => {
    for (const year of years)
      expect(simulator.easterSunday(year), String(year)).toBe(product.easterSunday(year));
    for (const [date, days] of [
      ['2024-02-28', 1],
      ['2024-03-01', -1],
      ['2026-12-31', 1],
      ['2000-01-01', -366],
    ] as const)
      expect(simulator.addDays(date, days)).toBe(product.addDays(date, days));
    for (const instant of [
      '2026-03-08T06:59:00Z',
      '2026-03-08T07:01:00Z',
      '2026-11-01T04:30:00Z',
      '2026-11-01T05:30:00Z',
      '2026-01-16T04:59:00Z',
      '2026-01-16T05:00:00Z',
      '2026-07-01T03:59:00Z',
      '2026-07-01T04:00:00Z',
    ]) {
      expect(simulator.easternDate(new Date(instant)), instant).toBe(product.easternDate(new Date(instant)));
    }
  });

  it('both refuse the same malformed dates', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '20260101', '2026-1-01']) {
      expect(() => simulator.parseIsoDate(bad), bad).toThrow();
      expect(() => product.parseIsoDate(bad), bad).toThrow();
    }
  });
});

describe('indicators: simulator and product agree on real closes', () => {
  const histories = [
    'TIME_SERIES_DAILY-MSFT-full-2017.json',
    'TIME_SERIES_DAILY-IBM-full-2019.csv',
    'TIME_SERIES_DAILY-AAPL-full-2019.csv',
    'TIME_SERIES_DAILY-QCOM-2000-2017.csv',
  ];

  describe.each(histories)('%s', (file) => {
    const closes = realCloses(file);

    it('has enough real closes for the longest window', () => {
      expect(closes.length).toBeGreaterThan(200);
      expect(closes.every((close) => Number.isFinite(close) && close > 0)).toBe(true);
    });

    it.each([2, 5, 14, 20, 50, 200])('SMA, EMA, RSI and BBANDS over %i', (period) => {
      expectSameSeries(simulatorIndicators.sma(closes, period), productIndicators.sma(closes, period), 'SMA');
      expectSameSeries(simulatorIndicators.ema(closes, period), productIndicators.ema(closes, period), 'EMA');
      expectSameSeries(simulatorIndicators.rsi(closes, period), productIndicators.rsi(closes, period), 'RSI');
      const simulated = simulatorIndicators.bbands(closes, period, 2, 1.5);
      const computed = productIndicators.bbands(closes, period, 2, 1.5);
      expectSameSeries(simulated.lower, computed.lower, 'BBANDS lower');
      expectSameSeries(simulated.middle, computed.middle, 'BBANDS middle');
      expectSameSeries(simulated.upper, computed.upper, 'BBANDS upper');
    });

    it.each([
      [12, 26, 9],
      [5, 35, 5],
      [3, 10, 16],
    ])('MACD %i/%i/%i', (fast, slow, signal) => {
      const simulated = simulatorIndicators.macd(closes, fast, slow, signal);
      const computed = productIndicators.macd(closes, fast, slow, signal);
      expectSameSeries(simulated.macd, computed.macd, 'MACD');
      expectSameSeries(simulated.signal, computed.signal, 'MACD signal');
      expectSameSeries(simulated.histogram, computed.histogram, 'MACD histogram');
    });
  });
});
