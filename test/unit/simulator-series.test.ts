/**
 * The synthetic daily series: deterministic per symbol, trading days only, ending at the clock's latest
 * trading day, consistent OHLC, and a plausible random walk.
 */
import { describe, expect, it } from 'vitest';
import { isTradingDay } from '../../localstack/simulator/calendar.ts';
import { aggregateBars, HISTORY_START, syntheticDailySeries } from '../../localstack/simulator/series.ts';

const NOW = new Date('2026-05-17T12:00:00Z'); // a Sunday: the latest trading day is Friday 2026-05-15

describe('syntheticDailySeries', () => {
  it('is deterministic per symbol and case-insensitive', () => {
    expect(syntheticDailySeries('IBM', NOW)).toEqual(syntheticDailySeries('IBM', NOW));
    expect(syntheticDailySeries('ibm', NOW)).toEqual(syntheticDailySeries('IBM', NOW));
  });

  it('gives different symbols different prices', () => {
    const ibm = syntheticDailySeries('IBM', NOW).map((bar) => bar.close);
    const msft = syntheticDailySeries('MSFT', NOW).map((bar) => bar.close);
    expect(ibm).not.toEqual(msft);
  });

  it('never rewrites history when the clock moves on: a later clock only appends bars', () => {
    const earlier = syntheticDailySeries('AAPL', new Date('2024-03-01T20:00:00Z'));
    const later = syntheticDailySeries('AAPL', NOW);
    expect(later.slice(0, earlier.length)).toEqual(earlier);
    expect(later.length).toBeGreaterThan(earlier.length);
  });

  it('has one bar per trading day, ascending, from 1999-11-01 to the latest trading day on or before now', () => {
    const bars = syntheticDailySeries('IBM', NOW);
    expect(bars[0]?.date).toBe(HISTORY_START);
    expect(bars.at(-1)?.date).toBe('2026-05-15');
    expect(bars.every((bar) => isTradingDay(bar.date))).toBe(true);
    expect(bars.every((bar, index) => index === 0 || (bars[index - 1]?.date ?? '') < bar.date)).toBe(true);
  });

  it.each([
    ['a Saturday', '2026-05-16T15:00:00Z', '2026-05-15'],
    ['Good Friday', '2026-04-03T18:00:00Z', '2026-04-02'],
    ['late evening in New York that is already tomorrow in UTC', '2026-05-15T23:30:00-04:00', '2026-05-15'],
    ['a trading day itself', '2026-05-14T10:00:00-04:00', '2026-05-14'],
  ])('ends on %s at the right day', (_name, now, lastDate) => {
    expect(syntheticDailySeries('XOM', new Date(now)).at(-1)?.date).toBe(lastDate);
  });

  it('starts at the listing date of a young symbol and is empty before it', () => {
    expect(syntheticDailySeries('DOW', NOW, '2019-03-20')[0]?.date).toBe('2019-03-20');
    expect(syntheticDailySeries('NEWCO', new Date('2019-01-01T12:00:00Z'), '2019-03-20')).toEqual([]);
  });

  it.each(['IBM', 'SPY', 'NVDA', 'ZZZZ', 'BRK-B'])(
    '%s: prices in cents, low <= open/close <= high, positive whole volumes',
    (symbol) => {
      for (const bar of syntheticDailySeries(symbol, NOW)) {
        expect(bar.low).toBeGreaterThan(0);
        expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
        expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
        for (const price of [bar.open, bar.high, bar.low, bar.close])
          expect(Math.round(price * 100) / 100).toBe(price);
        expect(Number.isInteger(bar.volume) && bar.volume > 0).toBe(true);
      }
    },
  );

  it('moves like a stock: annualised volatility 10-80 %, no day beyond +-40 %', () => {
    for (const symbol of ['IBM', 'MSFT', 'AAPL', 'QQQ', 'ABCD']) {
      const closes = syntheticDailySeries(symbol, NOW).map((bar) => bar.close);
      const returns = closes.slice(1).map((close, index) => Math.log(close / (closes[index] ?? close)));
      const mean = returns.reduce((sum, value) => sum + value, 0) / returns.length;
      const variance = returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / returns.length;
      const annualised = Math.sqrt(variance * 252);
      expect(annualised, symbol).toBeGreaterThan(0.1);
      expect(annualised, symbol).toBeLessThan(0.8);
      expect(Math.max(...returns.map(Math.abs)), symbol).toBeLessThan(Math.log(1.4));
    }
  });
});

describe('aggregateBars', () => {
  const daily = syntheticDailySeries('IBM', NOW).slice(-60);

  it('keys a week by its last trading day and takes first open, max high, min low, last close, summed volume', () => {
    // Prepare: the week of Good Friday 2026 ends on Thursday 2026-04-02.
    const weekly = aggregateBars(daily, 'weekly');
    const holidayWeek = weekly.find((bar) => bar.date === '2026-04-02');
    const days = daily.filter((bar) => bar.date >= '2026-03-30' && bar.date <= '2026-04-02');
    // Assess
    expect(days).toHaveLength(4);
    expect(holidayWeek).toEqual({
      date: '2026-04-02',
      open: days[0]?.open,
      high: Math.max(...days.map((bar) => bar.high)),
      low: Math.min(...days.map((bar) => bar.low)),
      close: days[3]?.close,
      volume: days.reduce((sum, bar) => sum + bar.volume, 0),
    });
    expect(weekly.at(-1)?.date).toBe('2026-05-15');
  });

  it('keys a month by its last trading day', () => {
    const monthly = aggregateBars(daily, 'monthly');
    expect(monthly.map((bar) => bar.date)).toContain('2026-04-30');
    expect(monthly.at(-1)?.date).toBe('2026-05-15');
  });
});
