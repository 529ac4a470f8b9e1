/**
 * The arithmetic of the shared AlphaVantage budget (GCRA pacing plus a per-UTC-day count), kept pure so the
 * DynamoDB limiter (store/alphavantage-quota.ts) only moves numbers in and out of conditional updates.
 */

/**
 * Slots are spaced 1 % wider than the plan's rate. AlphaVantage counts arrivals in a sliding minute, and an
 * arrival lands a network latency after its slot; the spare 1 % (0.6 s per minute) absorbs latency jitter
 * between the first and the last call of any minute, so N+1 arrivals never fall in one 60 s window.
 */
const PACING_HEADROOM = 1.01;

/**
 * How late a caller may still start in its slot. Every slot's start is at most this much late, so N+1 starts
 * span at least N intervals minus this (half the 1 % headroom: no N+1 arrivals in one sliding minute), and two
 * consecutive starts are at least an interval minus this apart (the free plan's per-second burst limit).
 */
export const LATE_START_TOLERANCE_MS = (60_000 * (PACING_HEADROOM - 1)) / 2;

/**
 * Budgets paced slower than one call a second (the free plan's 5 a minute) are held to their slots: there,
 * AlphaVantage's per-second burst limit applies, and two calls within a second are refused. Premium plans have
 * the burst limit raised; their callers still go at once when late (the pacing headroom absorbs it).
 */
export const BURST_WINDOW_MS = 1_000;

/** Milliseconds between two consecutive calls for a per-minute budget. */
export function emissionIntervalMs(requestsPerMinute: number): number {
  if (!(requestsPerMinute > 0))
    throw new Error(`requestsPerMinute must be positive, got ${requestsPerMinute}`);
  return (60_000 / requestsPerMinute) * PACING_HEADROOM;
}

/** The UTC calendar day of an instant, as AlphaVantage's daily quota counts it: YYYY-MM-DD. */
export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Milliseconds until the next UTC midnight, when the daily quota resets. */
export function untilUtcMidnight(nowMs: number): number {
  const midnight = new Date(nowMs);
  midnight.setUTCHours(24, 0, 0, 0);
  return midnight.getTime() - nowMs;
}

/**
 * One GCRA step against a known theoretical arrival time (`tat`, the earliest instant the next call may
 * start): the slot this caller gets (never before `earliestMs`, the soonest it can be ready to call) and the
 * new `tat`, or `undefined` when that slot starts after `latestMs` (the caller could not use it before its
 * deadline).
 */
export function nextSlot(
  tat: number | undefined,
  earliestMs: number,
  intervalMs: number,
  latestMs: number,
): { slotMs: number; newTat: number } | undefined {
  const slotMs = Math.max(tat ?? 0, earliestMs);
  if (slotMs > latestMs) return undefined;
  return { slotMs, newTat: slotMs + intervalMs };
}
