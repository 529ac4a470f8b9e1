import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../../functions/shared/domain/errors.ts';
import {
  applyQuoteObservation,
  applyQuoteObservations,
  averageOf,
  MAX_WINDOW_SIZE,
  type QuoteObservation,
  type RollingAverageState,
} from '../../functions/shared/domain/rolling-average.ts';

/** An observation at `minute` minutes past 2024-03-01T14:00Z. */
function quote(id: string, minute: number, price: number): QuoteObservation {
  const observedAt = new Date(Date.UTC(2024, 2, 1, 14, minute)).toISOString();
  return { id, observedAt, price };
}

function applyAll(
  observations: readonly QuoteObservation[],
  windowSize: number,
  initial?: RollingAverageState,
): RollingAverageState | undefined {
  let state = initial;
  for (const observation of observations) state = applyQuoteObservation(state, observation, windowSize).state;
  return state;
}

/** The part of the state that must not depend on arrival order (`version` counts writes, so it may). */
function withoutVersion(state: RollingAverageState | undefined) {
  if (state === undefined) return undefined;
  const { version: _version, ...rest } = state;
  return rest;
}

/** Independent oracle: sort everything by (time, id), keep the last N, take the plain mean. */
function oracleWindow(observations: readonly QuoteObservation[], windowSize: number): QuoteObservation[] {
  return [...observations]
    .sort(
      (a, b) =>
        Date.parse(a.observedAt) - Date.parse(b.observedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(-windowSize);
}

/** Observations with distinct ids; few distinct minutes, so equal times (and the id tie-break) are common. */
const observationSet = fc
  .uniqueArray(
    fc.record({
      id: fc.stringMatching(/^cmd-[a-f0-9]{1,4}$/),
      minute: fc.integer({ min: 0, max: 20 }),
      price: fc.integer({ min: 0, max: 1_000_000 }).map((ticks) => ticks / 10_000),
    }),
    { selector: (entry) => entry.id, minLength: 1, maxLength: 40 },
  )
  .map((entries) => entries.map((entry) => quote(entry.id, entry.minute, entry.price)));

describe('applyQuoteObservation', () => {
  it('creates the state from the first observation at version 1', () => {
    // Prepare
    const first = quote('cmd-1', 0, 101.5);

    // Act
    const { state, changed } = applyQuoteObservation(undefined, first, 3);

    // Assess
    expect(changed).toBe(true);
    expect(state).toEqual({ windowSize: 3, observations: [first], count: 1, average: 101.5, version: 1 });
  });

  it('keeps the N most recent observations and averages them', () => {
    // Prepare
    const quotes = [quote('a', 0, 10), quote('b', 1, 20), quote('c', 2, 30), quote('d', 3, 40)];

    // Act
    const state = applyAll(quotes, 3);

    // Assess: 10 was evicted; (20 + 30 + 40) / 3.
    expect(state?.observations.map((o) => o.id)).toEqual(['b', 'c', 'd']);
    expect(state?.count).toBe(3);
    expect(state?.average).toBe(30);
    expect(state?.version).toBe(4);
  });

  it('ignores a re-delivered observation, even one carrying a different price', () => {
    // Prepare
    const state = applyAll([quote('a', 0, 10), quote('b', 1, 20)], 3) as RollingAverageState;

    // Act
    const same = applyQuoteObservation(state, quote('b', 1, 20), 3);
    const altered = applyQuoteObservation(state, quote('b', 5, 99), 3);

    // Assess
    expect(same).toEqual({ state, changed: false });
    expect(altered.changed).toBe(false);
    expect(altered.state.version).toBe(state.version);
  });

  it('ignores an observation older than the oldest of a full window, but accepts it while not full', () => {
    // Prepare
    const full = applyAll([quote('b', 1, 20), quote('c', 2, 30)], 2) as RollingAverageState;
    const notFull = applyAll([quote('b', 1, 20), quote('c', 2, 30)], 3) as RollingAverageState;
    const late = quote('a', 0, 10);

    // Act
    const onFull = applyQuoteObservation(full, late, 2);
    const onNotFull = applyQuoteObservation(notFull, late, 3);

    // Assess
    expect(onFull).toEqual({ state: full, changed: false });
    expect(onNotFull.changed).toBe(true);
    expect(onNotFull.state.observations.map((o) => o.id)).toEqual(['a', 'b', 'c']);
    expect(onNotFull.state.average).toBe(20);
  });

  it('breaks equal observation times by id (the larger id counts as later)', () => {
    // Prepare: same minute, window of one.
    const x = quote('cmd-x', 7, 1);
    const y = quote('cmd-y', 7, 2);

    // Act
    const xThenY = applyAll([x, y], 1);
    const yThenX = applyAll([y, x], 1);

    // Assess
    expect(xThenY?.observations).toEqual([y]);
    expect(withoutVersion(yThenX)).toEqual(withoutVersion(xThenY));
  });

  it('compares instants, not strings, when offsets differ', () => {
    // Prepare: 15:30+02:00 is 13:30Z, i.e. EARLIER than 14:00Z although the string sorts later.
    const utc = { id: 'utc', observedAt: '2024-03-01T14:00:00Z', price: 1 };
    const paris = { id: 'paris', observedAt: '2024-03-01T15:30:00+02:00', price: 2 };

    // Act
    const state = applyAll([utc, paris], 1);

    // Assess
    expect(state?.observations).toEqual([utc]);
  });

  it('trims at once when the window size is lowered, even if the observation itself is a no-op', () => {
    // Prepare
    const state = applyAll(
      [quote('a', 0, 10), quote('b', 1, 20), quote('c', 2, 30)],
      3,
    ) as RollingAverageState;

    // Act: a re-delivery of 'c' arrives after N was lowered to 2.
    const { state: next, changed } = applyQuoteObservation(state, quote('c', 2, 30), 2);

    // Assess
    expect(changed).toBe(true);
    expect(next).toEqual({
      windowSize: 2,
      observations: [quote('b', 1, 20), quote('c', 2, 30)],
      count: 2,
      average: 25,
      version: state.version + 1,
    });
    // And a second delivery under the new N is a no-op again.
    expect(applyQuoteObservation(next, quote('c', 2, 30), 2).changed).toBe(false);
  });

  it('grows with new observations when the window size is raised', () => {
    // Prepare
    const state = applyAll([quote('a', 0, 10), quote('b', 1, 20)], 2) as RollingAverageState;

    // Act
    const raised = applyQuoteObservation(state, quote('c', 2, 60), 4).state;

    // Assess: nothing evicted any more; the count shows the window is not full yet.
    expect(raised.windowSize).toBe(4);
    expect(raised.observations.map((o) => o.id)).toEqual(['a', 'b', 'c']);
    expect(raised.count).toBe(3);
    expect(raised.average).toBe(30);
  });

  it('gives the same window, count and average for any arrival order (property)', () => {
    fc.assert(
      fc.property(
        observationSet,
        fc.integer({ min: 1, max: 8 }),
        fc.infiniteStream(fc.nat()),
        (set, n, rnd) => {
          // Prepare
          const shuffled = [...set];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = (rnd.next().value as number) % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as QuoteObservation, shuffled[i] as QuoteObservation];
          }

          // Act
          const inOrder = applyAll(set, n);
          const reordered = applyAll(shuffled, n);

          // Assess
          const expected = oracleWindow(set, n);
          expect(inOrder?.observations).toEqual(expected);
          expect(inOrder?.count).toBe(expected.length);
          // Rounded to the prices' 4 decimals: off the exact mean by half a unit of the 4th place at most.
          const mean = expected.reduce((sum, o) => sum + o.price, 0) / expected.length;
          expect(Math.abs((inOrder?.average ?? Number.NaN) - mean)).toBeLessThanOrEqual(0.5e-4 + 1e-9);
          expect(withoutVersion(reordered)).toEqual(withoutVersion(inOrder));
        },
      ),
    );
  });

  it('is idempotent: re-applying any observation already seen changes nothing (property)', () => {
    fc.assert(
      fc.property(observationSet, fc.integer({ min: 1, max: 8 }), (set, n) => {
        // Prepare
        const state = applyAll(set, n) as RollingAverageState;

        // Act / Assess: in-window ids are duplicates, evicted ones are older than the oldest.
        for (const observation of set) {
          const result = applyQuoteObservation(state, observation, n);
          expect(result.changed).toBe(false);
          expect(result.state).toBe(state);
        }
      }),
    );
  });

  it('increments version exactly once per change, so it can guard conditional writes (property)', () => {
    fc.assert(
      fc.property(observationSet, fc.integer({ min: 1, max: 8 }), (set, n) => {
        // Prepare
        let state: RollingAverageState | undefined;
        let changes = 0;

        // Act
        for (const observation of set) {
          const result = applyQuoteObservation(state, observation, n);
          if (result.changed) changes++;
          expect(result.state.version).toBe((state?.version ?? 0) + (result.changed ? 1 : 0));
          state = result.state;
        }

        // Assess
        expect(state?.version).toBe(changes);
      }),
    );
  });

  it('converges under concurrent read-apply-conditional-put workers with retries (property)', () => {
    fc.assert(
      fc.property(
        observationSet,
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.boolean()),
        (set, n, schedule) => {
          // Prepare: an in-memory "table" with a conditional put on version, and two workers that each
          // read, then (maybe after the other one wrote) try to put.
          let stored: RollingAverageState | undefined;
          const conditionalPut = (next: RollingAverageState, expectedVersion: number): boolean => {
            if ((stored?.version ?? 0) !== expectedVersion) return false;
            stored = next;
            return true;
          };
          const queues = [set.filter((_, i) => i % 2 === 0), set.filter((_, i) => i % 2 === 1)];
          const reads: Array<RollingAverageState | undefined | null> = [null, null]; // null = nothing read yet
          const hasWork = (worker: number) => (queues[worker]?.length ?? 0) > 0;

          // Act: each step, one worker with work either reads or applies-and-puts what it read before.
          for (let tick = 0; hasWork(0) || hasWork(1); tick++) {
            const preferred = schedule.length > 0 && schedule[tick % schedule.length] ? 1 : 0;
            const worker = hasWork(preferred) ? preferred : 1 - preferred;
            const queue = queues[worker] as QuoteObservation[];
            const read = reads[worker];
            if (read === null) {
              reads[worker] = stored;
              continue;
            }
            const { state, changed } = applyQuoteObservation(read, queue[0] as QuoteObservation, n);
            if (!changed || conditionalPut(state, read?.version ?? 0)) queue.shift(); // else conflict: retry
            reads[worker] = null;
          }

          // Assess
          expect(stored?.observations).toEqual(oracleWindow(set, n));
        },
      ),
    );
  });

  it('keeps the average exact to a few ulps over 10,000 one-by-one updates (no running-sum drift)', () => {
    // Prepare: prices with 4 decimals, so the exact mean can be computed with integers.
    const UPDATES = 10_000;
    const windowSize = 50;
    const ticks = (i: number) => 1_000_000 + ((i * 7919) % 99_991);
    let state: RollingAverageState | undefined;

    // Act
    const started = performance.now();
    for (let i = 0; i < UPDATES; i++) {
      const observedAt = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
      state = applyQuoteObservation(
        state,
        { id: `cmd-${i}`, observedAt, price: ticks(i) / 10_000 },
        windowSize,
      ).state;
    }
    const elapsedMs = performance.now() - started;

    // Assess
    let exactTicks = 0;
    for (let i = UPDATES - windowSize; i < UPDATES; i++) exactTicks += ticks(i);
    const exactMean = exactTicks / 10_000 / windowSize;
    expect(state?.count).toBe(windowSize);
    // Stored rounded to the prices' 4 decimals: exactly the exact mean rounded so, whatever came before.
    expect(state?.average).toBe(Number(exactMean.toFixed(4)));
    console.info(
      `[domain-rolling-average] ${UPDATES} updates (N=${windowSize}) in ${elapsedMs.toFixed(0)} ms`,
    );
  });

  it.each([
    ['a window size of 0', quote('a', 0, 1), 0, /windowSize/],
    ['a fractional window size', quote('a', 0, 1), 2.5, /windowSize/],
    ['a window size above the maximum', quote('a', 0, 1), MAX_WINDOW_SIZE + 1, /windowSize/],
    ['an empty id', { ...quote('a', 0, 1), id: ' ' }, 3, /id must be a non-empty string/],
    ['a timestamp without offset', { ...quote('a', 0, 1), observedAt: '2024-03-01T14:00:00' }, 3, /offset/],
    ['an impossible timestamp', { ...quote('a', 0, 1), observedAt: '2024-02-30T14:00:00Z' }, 3, /offset/],
    ['hour 24', { ...quote('a', 0, 1), observedAt: '2024-03-01T24:00:00Z' }, 3, /offset/],
    ['a negative price', quote('a', 0, -1), 3, /price/],
    ['a NaN price', quote('a', 0, Number.NaN), 3, /price/],
  ])('rejects %s', (_label, observation, windowSize, message) => {
    // Act
    const act = () => applyQuoteObservation(undefined, observation, windowSize);

    // Assess
    expect(act).toThrow(DomainValidationError);
    expect(act).toThrow(message);
  });

  it('rejects a stored state with a corrupt version or observation', () => {
    // Prepare
    const state = applyAll([quote('a', 0, 1)], 3) as RollingAverageState;

    // Act / Assess
    expect(() => applyQuoteObservation({ ...state, version: -1 }, quote('b', 1, 1), 3)).toThrow(/version/);
    expect(() =>
      applyQuoteObservation(
        { ...state, observations: [{ ...quote('a', 0, 1), price: Number.NaN }] },
        quote('b', 1, 1),
        3,
      ),
    ).toThrow(/state\.observations\[0\]\.price/);
  });

  it('accepts fractional seconds and lets a later fraction count as later', () => {
    // Prepare
    const early = { id: 'z', observedAt: '2024-03-01T14:00:00.100Z', price: 1 };
    const late = { id: 'a', observedAt: '2024-03-01T14:00:00.200Z', price: 2 };

    // Act
    const state = applyAll([late, early], 1);

    // Assess
    expect(state?.observations).toEqual([late]);
  });
});

describe('applyQuoteObservations (one Kafka batch, one write)', () => {
  it('gives the same window as one-by-one application, with one version step per batch (property)', () => {
    fc.assert(
      fc.property(observationSet, fc.integer({ min: 1, max: 8 }), fc.nat(), (set, n, cut) => {
        // Prepare: a stored state from a first part, then a batch with the rest plus some re-deliveries.
        const split = cut % set.length;
        const stored = applyAll(set.slice(0, split), n);
        const batch = [...set.slice(split), ...set.slice(0, split)];

        // Act
        const batched = applyQuoteObservations(stored, batch, n);

        // Assess
        const oneByOne = applyAll(batch, n, stored);
        expect(withoutVersion(batched.state)).toEqual(withoutVersion(oneByOne));
        expect(batched.state?.version).toBe((stored?.version ?? 0) + (batched.changed ? 1 : 0));
        expect(batched.changed).toBe(oneByOne?.version !== stored?.version);
      }),
    );
  });

  it('returns no state for an empty batch without state, and fails a batch with one bad record as a whole', () => {
    // Prepare
    const good = quote('a', 0, 10);
    const bad = { ...quote('b', 1, 20), observedAt: 'yesterday' };

    // Act
    const empty = applyQuoteObservations(undefined, [], 3);
    const act = () => applyQuoteObservations(undefined, [good, bad], 3);

    // Assess
    expect(empty).toEqual({ state: undefined, changed: false });
    expect(act).toThrow(/observations\[1\]\.observedAt/);
  });
});

describe('the stored average', () => {
  it.each([
    ['224.86, 224.9, 224.91', [224.86, 224.9, 224.91], 224.89],
    ['0.1, 0.2', [0.1, 0.2], 0.15],
    ['10, 11 (more places than the prices)', [10, 11], 10.5],
    ['a third (rounded to 4 places)', [1, 1, 2], 1.3333],
    ['6-decimal prices keep 6 places', [0.000001, 0.000002, 0.000004], 0.000002],
  ])('has no float noise: %s', (_name, prices, expected) => {
    // Prepare
    let state: RollingAverageState | undefined;

    // Act
    for (const [index, price] of prices.entries())
      state = applyQuoteObservation(state, quote(`q${index}`, index, price), prices.length).state;

    // Assess
    expect(state?.average).toBe(expected);
  });
});

describe('averageOf', () => {
  it('refuses an empty window and is exact where plain summation is not', () => {
    // Prepare: naive left-to-right summation of these loses the 1s entirely.
    const prices = [1e16, 1, 1, -1e16].map((price, i) => quote(`p${i}`, i, price));

    // Act / Assess
    expect(averageOf(prices)).toBe(0.5);
    expect(() => averageOf([])).toThrow(DomainValidationError);
  });
});
