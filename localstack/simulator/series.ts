/**
 * Deterministic synthetic daily OHLCV history for any symbol.
 *
 * The walk always starts at the same date for a symbol (its listing date, never before AlphaVantage's
 * own first day 1999-11-01) and is driven by a PRNG seeded from the symbol only, so a bar never changes
 * when the clock moves on: later clocks only append bars. Prices follow a geometric random walk with a
 * weak pull towards a drifting anchor (keeps 26 years of history in a plausible range instead of
 * drifting to $0.01 or $50,000), overnight gaps, intraday ranges and volume that rises with |return|.
 * Prices are rounded to cents BEFORE they feed the next day, so what a client parses is exactly the
 * series the simulator computes indicators and quotes from.
 */
import { easternDate, latestTradingDayOnOrBefore, tradingDaysBetween } from './calendar.ts';
import { integerBetween, type RandomSource, seededRandom, standardNormal, uniform } from './random.ts';

/** First day of AlphaVantage's daily history for long-listed US symbols. */
export const HISTORY_START = '1999-11-01';
const TRADING_DAYS_PER_YEAR = 252;

// The simulator's own bar type, alike the product's on purpose: it imports nothing of the product (ADR 0007).
export interface DailyBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface SymbolProfile {
  /** Price on the first day of history. */
  startPrice: number;
  /** Annual log drift. */
  drift: number;
  /** Annual volatility. */
  volatility: number;
  /** Typical daily volume in shares. */
  typicalVolume: number;
}

export function canonicalSymbol(symbol: string): string {
  return symbol.trim().toUpperCase();
}

/** Per-symbol walk parameters; seeded by the symbol so every symbol has its own character. */
function symbolProfile(symbol: string): SymbolProfile {
  const random = seededRandom(`profile:${canonicalSymbol(symbol)}`);
  return {
    startPrice: roundCents(Math.exp(uniform(random, Math.log(8), Math.log(120)))),
    drift: uniform(random, -0.04, 0.09),
    volatility: uniform(random, 0.16, 0.5),
    typicalVolume: Math.round(Math.exp(uniform(random, Math.log(150_000), Math.log(40_000_000)))),
  };
}

export function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The simulator clock's trading date: the latest NYSE trading day on or before `now` in New York. */
export function lastTradingDate(now: Date): string {
  return latestTradingDayOnOrBefore(easternDate(now));
}

/**
 * Daily bars, ascending by date, from the symbol's first day of history up to the latest trading day on
 * or before `now` (US/Eastern). `listingDate` (YYYY-MM-DD) starts the history later for young symbols.
 */
export function syntheticDailySeries(symbol: string, now: Date, listingDate?: string): DailyBar[] {
  const start = listingDate !== undefined && listingDate > HISTORY_START ? listingDate : HISTORY_START;
  const end = lastTradingDate(now);
  if (end < start) return [];
  const days = tradingDaysBetween(start, end);
  const profile = symbolProfile(symbol);
  const random = seededRandom(`walk:${canonicalSymbol(symbol)}`);
  return walk(days, profile, random);
}

function walk(days: readonly string[], profile: SymbolProfile, random: RandomSource): DailyBar[] {
  const dailyVolatility = profile.volatility / Math.sqrt(TRADING_DAYS_PER_YEAR);
  const dailyDrift = profile.drift / TRADING_DAYS_PER_YEAR - (dailyVolatility * dailyVolatility) / 2;
  const meanReversionPerDay = 0.002;
  const bars: DailyBar[] = [];
  let logAnchor = Math.log(profile.startPrice);
  let previousClose = profile.startPrice;
  for (const date of days) {
    logAnchor += profile.drift / TRADING_DAYS_PER_YEAR;
    // Rare jumps give the return distribution the fat tails real prices have.
    const jump = random.next() < 0.01 ? standardNormal(random) * dailyVolatility * 3 : 0;
    const pull = -meanReversionPerDay * (Math.log(previousClose) - logAnchor);
    // Clamped: a +-25 % day is already rare for a listed stock.
    const totalReturn = Math.max(
      -0.25,
      Math.min(0.25, dailyDrift + pull + dailyVolatility * standardNormal(random) + jump),
    );
    const gapShare = 0.3;
    const open = Math.max(0.5, roundCents(previousClose * Math.exp(totalReturn * gapShare)));
    const close = Math.max(0.5, roundCents(previousClose * Math.exp(totalReturn)));
    const highExcursion = Math.abs(standardNormal(random)) * dailyVolatility * 0.6;
    const lowExcursion = Math.abs(standardNormal(random)) * dailyVolatility * 0.6;
    const high = roundCents(Math.max(open, close) * Math.exp(highExcursion));
    const low = Math.max(0.01, roundCents(Math.min(open, close) * Math.exp(-lowExcursion)));
    const activity = Math.exp(standardNormal(random) * 0.35) * (1 + 12 * Math.abs(totalReturn));
    const volume =
      Math.max(100, Math.round(profile.typicalVolume * activity)) + integerBetween(random, 0, 99);
    bars.push({ date, open, high, low, close, volume });
    previousClose = close;
  }
  return bars;
}

export type Interval = 'daily' | 'weekly' | 'monthly';

/**
 * Aggregates daily bars (ascending) into weekly (Monday-Friday) or monthly bars, keyed like AlphaVantage
 * by the LAST trading day of the period (the latest day for the current, unfinished period).
 */
export function aggregateBars(bars: readonly DailyBar[], interval: Interval): DailyBar[] {
  if (interval === 'daily') return [...bars];
  const periodKey = interval === 'weekly' ? weekKey : (date: string) => date.slice(0, 7);
  const result: DailyBar[] = [];
  let currentKey: string | undefined;
  for (const bar of bars) {
    const key = periodKey(bar.date);
    const last = result.at(-1);
    if (key !== currentKey || last === undefined) {
      result.push({ ...bar });
      currentKey = key;
      continue;
    }
    last.date = bar.date;
    last.high = Math.max(last.high, bar.high);
    last.low = Math.min(last.low, bar.low);
    last.close = bar.close;
    last.volume += bar.volume;
  }
  return result;
}

/** The Monday of the date's week, as a grouping key. */
function weekKey(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  const daysSinceMonday = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - daysSinceMonday * 86_400_000).toISOString().slice(0, 10);
}
