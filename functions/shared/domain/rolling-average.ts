import { describeValue, parseIsoInstant } from './dates.ts';
import { DomainValidationError } from './errors.ts';
import { compareStrings } from './ordering.ts';

/**
 * Rolling average of the last N quotes of one symbol (replaces the former Faust table).
 *
 * The state is a small value the handler keeps in one DynamoDB item and updates with optimistic
 * concurrency: read the item, call `applyQuoteObservation`, then put it on condition that the stored
 * `version` still equals the version it read (or that the item does not exist yet, version 0), and retry
 * from the read on a conflict. Because the function is idempotent and order-independent, Kafka's
 * at-least-once, possibly reordered delivery and concurrent retries all converge on the same window.
 */

/**
 * Largest accepted window. Each observation costs roughly 100 bytes of the item, and a DynamoDB item is
 * capped at 400 KB; 1000 leaves ample headroom and is far beyond any sensible moving average of quotes.
 */
export const MAX_WINDOW_SIZE = 1000;

/** One quote as produced by one collect command. */
export interface QuoteObservation {
  /**
   * Stable id of the collect command that produced the quote. It is the idempotency key: a re-delivered
   * Kafka record carries the same id, so it can be recognised and ignored.
   */
  readonly id: string;
  /** When the quote was observed: ISO-8601 with an offset (e.g. `2024-03-01T21:00:00Z`). */
  readonly observedAt: string;
  /** Quoted price; finite and not negative. */
  readonly price: number;
  /**
   * What makes two quotes the same observation: AlphaVantage's latest trading day, price and volume. A quote
   * taken while the market does not trade repeats the previous one; it is not counted twice. Optional: windows
   * stored before it existed compare by id only.
   */
  readonly fingerprint?: string;
}

export interface RollingAverageState {
  /** The N the window was last sized for. */
  readonly windowSize: number;
  /** The most recent observations, at most `windowSize`, oldest first (by observation time, then id). */
  readonly observations: readonly QuoteObservation[];
  /** Number of observations in the window (less than `windowSize` until enough quotes have arrived). */
  readonly count: number;
  /**
   * Mean price of the window, recomputed from `observations` on every change and rounded to the prices' own
   * precision (at least `MIN_AVERAGE_DECIMALS` places), so binary float noise such as 224.89000000000001 is not
   * stored.
   */
  readonly average: number;
  /**
   * Incremented on every change and used as the optimistic-concurrency token of the conditional write.
   * Unlike the window it DOES depend on arrival order (it counts writes), so compare states without it.
   */
  readonly version: number;
}

export interface RollingAverageUpdate {
  readonly state: RollingAverageState;
  /** False when nothing changed: the handler skips the write (and `state` is the input, same version). */
  readonly changed: boolean;
}

/**
 * Applies one observation to the state of a symbol (`undefined` = no state stored yet).
 *
 * The window is defined as the `windowSize` LATEST observations by `observedAt`, ties broken by `id` (the
 * larger id counts as later), which is a total order, so applying the same set of observations in any
 * order yields the same window, count and average. No-ops (`changed: false`, same version):
 * - the observation's id is already in the window (a re-delivery; the first version of an id wins, even if
 *   a re-delivery carries a different price or time);
 * - the window is full and the observation is older than its oldest entry (late arrival, or a re-delivery
 *   of an observation that has since been evicted);
 * - the window holds an observation with the same fingerprint that sorts later. Of identical observations
 *   the latest counts (it replaces an earlier twin): only replacing by later ones keeps the window the N
 *   latest of the deduplicated observations whatever the arrival order, since a twin evicted or refused as
 *   too old is older than everything the window keeps.
 *
 * Window size changes (configuration N changed between invocations):
 * - lowered: the window is trimmed to the newest `windowSize` observations at once;
 * - raised: the window keeps what it has and fills up as observations arrive. Evicted observations are
 *   gone, so until then the average covers fewer than N quotes, which `count` makes visible.
 * Either way the resized state is a change worth persisting, even if the observation itself is a no-op.
 */
export function applyQuoteObservation(
  state: RollingAverageState | undefined,
  observation: QuoteObservation,
  windowSize: number,
): RollingAverageUpdate {
  const { state: next, changed } = applyQuoteObservations(state, [observation], windowSize);
  // One observation always yields a state: it either creates one or is judged against an existing one.
  if (next === undefined) throw new Error('unreachable: a state exists after applying an observation');
  return { state: next, changed };
}

export interface RollingAverageBatchUpdate {
  /** `undefined` only when there was no state and the batch was empty. */
  readonly state: RollingAverageState | undefined;
  readonly changed: boolean;
}

/**
 * Applies a batch of observations for ONE symbol (e.g. all records of that symbol in one Kafka poll) with a
 * single read and a single conditional write: same result as applying them one by one, except that
 * `version` moves by one per batch, not per observation (it is a write token, not a counter of quotes).
 * All observations are validated before anything is applied, so a bad record fails the batch as a whole.
 */
export function applyQuoteObservations(
  state: RollingAverageState | undefined,
  observations: readonly QuoteObservation[],
  windowSize: number,
): RollingAverageBatchUpdate {
  assertWindowSize(windowSize);
  const incoming = observations.map((observation, index) => toKeyed(observation, `observations[${index}]`));
  const previousVersion = state === undefined ? 0 : assertVersion(state.version);
  const stored = state === undefined ? [] : canonicalWindow(state.observations);

  // Trimming first means "older than the oldest in a full window" is judged against the new N.
  const window = stored.slice(Math.max(0, stored.length - windowSize));
  let changed =
    state !== undefined && (state.windowSize !== windowSize || window.length !== state.observations.length);
  const idsInWindow = new Set(window.map((entry) => entry.observation.id));
  for (const entry of incoming) {
    if (insertIntoWindow(window, idsInWindow, entry, windowSize)) changed = true;
  }

  if (!changed) return { state, changed: false };
  return { state: buildState(window, windowSize, previousVersion + 1), changed: true };
}

/**
 * Inserts `entry` into the sorted `window` (mutating it and `ids`) unless it is a duplicate id or too old
 * for a full window; evicts the oldest when the window overflows. Returns whether the window changed.
 */
function insertIntoWindow(window: Keyed[], ids: Set<string>, entry: Keyed, windowSize: number): boolean {
  if (ids.has(entry.observation.id)) return false;
  const { fingerprint } = entry.observation;
  const twin =
    fingerprint === undefined
      ? -1
      : window.findIndex((other) => other.observation.fingerprint === fingerprint);
  if (twin >= 0) {
    if (compareKeyed(entry, window[twin] as Keyed) <= 0) return false;
    const [replaced] = window.splice(twin, 1);
    if (replaced) ids.delete(replaced.observation.id);
  }
  const oldest = window[0];
  if (window.length >= windowSize && oldest !== undefined && compareKeyed(entry, oldest) < 0) return false;
  // Binary search for the first element that sorts after the entry.
  let low = 0;
  let high = window.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeyed(window[middle] as Keyed, entry) <= 0) low = middle + 1;
    else high = middle;
  }
  window.splice(low, 0, entry);
  ids.add(entry.observation.id);
  if (window.length > windowSize) {
    const evicted = window.shift();
    if (evicted) ids.delete(evicted.observation.id);
  }
  return true;
}

/**
 * Mean of the window's prices. The sum is taken in the window's canonical order with Neumaier (compensated)
 * summation: recomputing from the window on every change means no running sum accumulates rounding drift
 * over millions of updates, and a fixed order makes the result bit-identical whatever the arrival order.
 */
export function averageOf(observations: readonly QuoteObservation[]): number {
  if (observations.length === 0) throw new DomainValidationError('cannot average an empty window');
  let sum = 0;
  let compensation = 0;
  for (const { price } of observations) {
    const total = sum + price;
    compensation += Math.abs(sum) >= Math.abs(price) ? sum - total + price : price - total + sum;
    sum = total;
  }
  return (sum + compensation) / observations.length;
}

/** An observation with its parsed time, so sorting does not re-parse timestamps. */
interface Keyed {
  readonly observation: QuoteObservation;
  readonly epochMs: number;
}

function toKeyed(observation: QuoteObservation, what: string): Keyed {
  if (typeof observation?.id !== 'string' || observation.id.trim() === '') {
    throw new DomainValidationError(
      `${what}.id must be a non-empty string, got ${describeValue(observation?.id)}`,
    );
  }
  const epochMs = parseIsoInstant(observation.observedAt, `${what}.observedAt`);
  if (typeof observation.price !== 'number' || !Number.isFinite(observation.price) || observation.price < 0) {
    throw new DomainValidationError(
      `${what}.price must be a finite, non-negative number, got ${describeValue(observation.price)}`,
    );
  }
  if (observation.fingerprint !== undefined && typeof observation.fingerprint !== 'string') {
    throw new DomainValidationError(
      `${what}.fingerprint must be a string, got ${describeValue(observation.fingerprint)}`,
    );
  }
  return {
    observation: {
      id: observation.id,
      observedAt: observation.observedAt,
      price: observation.price,
      ...(observation.fingerprint === undefined ? {} : { fingerprint: observation.fingerprint }),
    },
    epochMs,
  };
}

/** Orders by observation time, then id: a total order, which is what makes the window order-independent. */
function compareKeyed(a: Keyed, b: Keyed): number {
  return a.epochMs - b.epochMs || compareStrings(a.observation.id, b.observation.id);
}

/**
 * Re-validates and re-sorts a stored window (it comes back from DynamoDB, so trust nothing) and drops
 * repeated ids, keeping the earliest-sorted copy, so a hand-edited or legacy item still behaves.
 */
function canonicalWindow(observations: readonly QuoteObservation[]): Keyed[] {
  if (!Array.isArray(observations)) throw new DomainValidationError('state.observations must be an array');
  const sorted = observations
    .map((observation, index) => toKeyed(observation, `state.observations[${index}]`))
    .sort(compareKeyed);
  const seen = new Set<string>();
  const unique: Keyed[] = [];
  for (const entry of sorted) {
    if (seen.has(entry.observation.id)) continue;
    seen.add(entry.observation.id);
    unique.push(entry);
  }
  return unique;
}

function buildState(window: readonly Keyed[], windowSize: number, version: number): RollingAverageState {
  const observations = window.map((entry) => entry.observation);
  const decimals = Math.max(MIN_AVERAGE_DECIMALS, ...observations.map(({ price }) => decimalsOf(price)));
  const average = Number(averageOf(observations).toFixed(decimals));
  return { windowSize, observations, count: observations.length, average, version };
}

/**
 * AlphaVantage quotes prices with 4 decimals. A mean needs places beyond its inputs' (the mean of 10 and 11 is
 * 10.5), so the average keeps at least these, or more when the prices have more.
 */
const MIN_AVERAGE_DECIMALS = 4;

/** Decimal places of a number as JavaScript prints it: 224.9 -> 1, 1e-7 -> 7; at most 20 (`toFixed`'s limit). */
function decimalsOf(value: number): number {
  const [mantissa = '', exponent = '0'] = String(value).split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.min(20, Math.max(0, fraction - Number(exponent)));
}

function assertWindowSize(windowSize: number): void {
  if (!Number.isInteger(windowSize) || windowSize < 1 || windowSize > MAX_WINDOW_SIZE) {
    throw new DomainValidationError(
      `windowSize must be an integer from 1 to ${MAX_WINDOW_SIZE}, got ${describeValue(windowSize)}`,
    );
  }
}

function assertVersion(version: number): number {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new DomainValidationError(
      `state.version must be a non-negative integer, got ${describeValue(version)}`,
    );
  }
  return version;
}
