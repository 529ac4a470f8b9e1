/**
 * Technical indicators with TA-Lib semantics, which is what AlphaVantage serves: the first value of an
 * n-period SMA/EMA is at index n-1 (the EMA is seeded with the SMA), RSI uses Wilder smoothing and starts
 * at index n, MACD aligns its fast EMA with the slow one and seeds the signal EMA with the SMA of the
 * first MACD values, BBANDS use the population standard deviation around an SMA. Checked against real
 * AlphaVantage indicator responses computed from real closes (test/unit/simulator-indicators.test.ts).
 *
 * Every function takes values ascending by time and returns an array of the same length with
 * `undefined` where the indicator is not defined yet.
 */

export type Series = readonly number[];
export type IndicatorValues = (number | undefined)[];

export function sma(values: Series, period: number): IndicatorValues {
  const out: IndicatorValues = new Array(values.length).fill(undefined);
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) {
    sum += values[index] ?? 0;
    if (index >= period) sum -= values[index - period] ?? 0;
    if (index >= period - 1) out[index] = sum / period;
  }
  return out;
}

/**
 * EMA seeded with the SMA of the `period` values ending at `seedEnd` (default period - 1); values before
 * `seedEnd - period + 1` are ignored. MACD needs the later seed to align its fast EMA with the slow one.
 */
export function ema(values: Series, period: number, seedEnd = period - 1): IndicatorValues {
  const out: IndicatorValues = new Array(values.length).fill(undefined);
  if (values.length <= seedEnd) return out;
  const k = 2 / (period + 1);
  let seed = 0;
  for (let index = seedEnd - period + 1; index <= seedEnd; index += 1) seed += values[index] ?? 0;
  let current = seed / period;
  out[seedEnd] = current;
  for (let index = seedEnd + 1; index < values.length; index += 1) {
    current = ((values[index] ?? 0) - current) * k + current;
    out[index] = current;
  }
  return out;
}

export function rsi(values: Series, period: number): IndicatorValues {
  const out: IndicatorValues = new Array(values.length).fill(undefined);
  if (values.length <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let index = 1; index <= period; index += 1) {
    const change = (values[index] ?? 0) - (values[index - 1] ?? 0);
    if (change > 0) gain += change;
    else loss -= change;
  }
  let averageGain = gain / period;
  let averageLoss = loss / period;
  const toRsi = () =>
    averageGain + averageLoss === 0 ? 0 : (100 * averageGain) / (averageGain + averageLoss);
  out[period] = toRsi();
  for (let index = period + 1; index < values.length; index += 1) {
    const change = (values[index] ?? 0) - (values[index - 1] ?? 0);
    averageGain = (averageGain * (period - 1) + Math.max(change, 0)) / period;
    averageLoss = (averageLoss * (period - 1) + Math.max(-change, 0)) / period;
    out[index] = toRsi();
  }
  return out;
}

export interface MacdValues {
  macd: IndicatorValues;
  signal: IndicatorValues;
  histogram: IndicatorValues;
}

export function macd(values: Series, fastPeriod = 12, slowPeriod = 26, signalPeriod = 9): MacdValues {
  const length = values.length;
  const slowStart = slowPeriod - 1;
  const fast = ema(values, fastPeriod, Math.max(slowStart, fastPeriod - 1));
  const slow = ema(values, slowPeriod, slowStart);
  const macdLine: IndicatorValues = new Array(length).fill(undefined);
  for (let index = slowStart; index < length; index += 1) {
    const fastValue = fast[index];
    const slowValue = slow[index];
    if (fastValue !== undefined && slowValue !== undefined) macdLine[index] = fastValue - slowValue;
  }
  const signalSeedEnd = slowStart + signalPeriod - 1;
  const definedMacd = macdLine.map((value) => value ?? 0);
  const signal = ema(definedMacd, signalPeriod, signalSeedEnd);
  const macdOut: IndicatorValues = new Array(length).fill(undefined);
  const histogram: IndicatorValues = new Array(length).fill(undefined);
  for (let index = signalSeedEnd; index < length; index += 1) {
    const line = macdLine[index];
    const signalValue = signal[index];
    if (line === undefined || signalValue === undefined) continue;
    macdOut[index] = line;
    histogram[index] = line - signalValue;
  }
  for (let index = 0; index < signalSeedEnd && index < length; index += 1) signal[index] = undefined;
  return { macd: macdOut, signal, histogram };
}

export interface BollingerValues {
  lower: IndicatorValues;
  middle: IndicatorValues;
  upper: IndicatorValues;
}

export function bbands(
  values: Series,
  period: number,
  deviationsUp = 2,
  deviationsDown = 2,
): BollingerValues {
  const middle = sma(values, period);
  const lower: IndicatorValues = new Array(values.length).fill(undefined);
  const upper: IndicatorValues = new Array(values.length).fill(undefined);
  for (let index = period - 1; index < values.length; index += 1) {
    const mean = middle[index];
    if (mean === undefined) continue;
    let squares = 0;
    for (let back = index - period + 1; back <= index; back += 1)
      squares += ((values[back] ?? 0) - mean) ** 2;
    const deviation = Math.sqrt(squares / period);
    upper[index] = mean + deviationsUp * deviation;
    lower[index] = mean - deviationsDown * deviation;
  }
  return { lower, middle, upper };
}
