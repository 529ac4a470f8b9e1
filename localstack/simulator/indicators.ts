/**
 * The simulator's own indicator maths, written from the textbook definitions with TA-Lib's conventions
 * (which AlphaVantage serves), independently of the product's indicators so that comparing the two
 * (test/unit/simulator-independence.test.ts) can catch a bug in either:
 * - SMA(n): the mean of the last n values, first defined at index n-1;
 * - EMA(n): seeded with the SMA of its first n values, then `ema += (value - ema) * 2 / (n + 1)`;
 * - RSI(n): Wilder's averages of gains and losses, first defined at index n (0 when nothing moved);
 * - MACD(fast, slow, signal): both EMAs start at index slow-1 (the fast one seeded with the mean of the
 *   `fast` values ending there), the signal EMA is seeded with the mean of the first `signal` MACD values;
 * - BBANDS(n, up, down): SMA(n) plus/minus the population standard deviation of the same n values.
 * Checked against real AlphaVantage responses in test/unit/simulator-indicators.test.ts.
 *
 * Each function takes values oldest first and returns an array of the same length, `undefined` where
 * the indicator is not defined yet. Windows are recomputed from scratch (no running sums): simple to read
 * and fast enough for the simulator's histories.
 */

export type IndicatorValues = (number | undefined)[];

const mean = (window: readonly number[]): number =>
  window.reduce((total, value) => total + value, 0) / window.length;

/** `compute(window, end)` for every index whose window of `period` values ending there is complete. */
function rolling(
  values: readonly number[],
  period: number,
  compute: (window: readonly number[]) => number,
): IndicatorValues {
  return values.map((_, end) =>
    end + 1 >= period ? compute(values.slice(end + 1 - period, end + 1)) : undefined,
  );
}

export function sma(values: readonly number[], period: number): IndicatorValues {
  return rolling(values, period, mean);
}

/**
 * EMA whose first value sits at `firstIndex` (default period-1) and is the mean of the `period` values
 * ending there; earlier values are ignored. MACD starts its fast EMA late, at the slow EMA's first index.
 */
export function ema(values: readonly number[], period: number, firstIndex = period - 1): IndicatorValues {
  const result: IndicatorValues = values.map(() => undefined);
  if (firstIndex >= values.length) return result;
  const weight = 2 / (period + 1);
  let average = mean(values.slice(firstIndex + 1 - period, firstIndex + 1));
  result[firstIndex] = average;
  for (let index = firstIndex + 1; index < values.length; index += 1) {
    average += ((values[index] as number) - average) * weight;
    result[index] = average;
  }
  return result;
}

export function rsi(values: readonly number[], period: number): IndicatorValues {
  const result: IndicatorValues = values.map(() => undefined);
  if (values.length <= period) return result;
  const changes = values.slice(1).map((value, index) => value - (values[index] as number));
  const first = changes.slice(0, period);
  let averageGain = mean(first.map((change) => Math.max(change, 0)));
  let averageLoss = mean(first.map((change) => Math.max(-change, 0)));
  const strength = () => {
    const moved = averageGain + averageLoss;
    return moved === 0 ? 0 : (100 * averageGain) / moved;
  };
  result[period] = strength();
  for (let index = period + 1; index < values.length; index += 1) {
    const change = changes[index - 1] as number;
    averageGain = (averageGain * (period - 1) + Math.max(change, 0)) / period;
    averageLoss = (averageLoss * (period - 1) + Math.max(-change, 0)) / period;
    result[index] = strength();
  }
  return result;
}

export interface MacdValues {
  macd: IndicatorValues;
  signal: IndicatorValues;
  histogram: IndicatorValues;
}

export function macd(
  values: readonly number[],
  fastPeriod = 12,
  slowPeriod = 26,
  signalPeriod = 9,
): MacdValues {
  const start = Math.max(slowPeriod, fastPeriod) - 1;
  const fast = ema(values, fastPeriod, start);
  const slow = ema(values, slowPeriod, start);
  // The MACD line from `start` on; the signal EMA runs over that part only.
  const line = values
    .slice(start)
    .map((_, offset) => (fast[start + offset] as number) - (slow[start + offset] as number));
  const signalOfLine = ema(line, signalPeriod);
  const empty = (): MacdValues => ({ macd: [], signal: [], histogram: [] });
  const result = empty();
  for (let index = 0; index < values.length; index += 1) {
    const signal = index >= start ? signalOfLine[index - start] : undefined;
    const macdValue = signal === undefined ? undefined : line[index - start];
    result.macd.push(macdValue);
    result.signal.push(signal);
    result.histogram.push(signal === undefined || macdValue === undefined ? undefined : macdValue - signal);
  }
  return result;
}

export interface BollingerValues {
  lower: IndicatorValues;
  middle: IndicatorValues;
  upper: IndicatorValues;
}

export function bbands(
  values: readonly number[],
  period: number,
  deviationsUp = 2,
  deviationsDown = 2,
): BollingerValues {
  const deviation = rolling(values, period, (window) => {
    const average = mean(window);
    return Math.sqrt(mean(window.map((value) => (value - average) ** 2)));
  });
  const middle = sma(values, period);
  const band = (sign: number, multiplier: number): IndicatorValues =>
    middle.map((average, index) => {
      const spread = deviation[index];
      return average === undefined || spread === undefined ? undefined : average + sign * multiplier * spread;
    });
  return { lower: band(-1, deviationsDown), middle, upper: band(1, deviationsUp) };
}
