/** Quota windows, the seeded fault injector and apikey redaction of the simulator, with fake clocks. */
import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../localstack/simulator/faults.ts';
import { PLANS, QuotaTracker } from '../../localstack/simulator/quotas.ts';
import { redactApiKey } from '../../localstack/simulator/server.ts';

function fakeClock(start = Date.parse('2026-05-15T14:00:00Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('QuotaTracker', () => {
  it('free plan: one request per second', () => {
    const clock = fakeClock();
    const quotas = new QuotaTracker(PLANS.free.limits, clock.now);
    expect(quotas.take('key')).toEqual({ allowed: true });
    expect(quotas.take('key')).toEqual({ allowed: false, window: 'second' });
    clock.advance(1000);
    expect(quotas.take('key')).toEqual({ allowed: true });
  });

  it('free plan: five per sliding minute, and refused requests do not use quota', () => {
    const clock = fakeClock();
    const quotas = new QuotaTracker(PLANS.free.limits, clock.now);
    for (let index = 0; index < 5; index += 1) {
      expect(quotas.take('key').allowed).toBe(true);
      clock.advance(1_000);
    }
    // 5 s after the first request: the minute is full.
    expect(quotas.take('key')).toEqual({ allowed: false, window: 'minute' });
    expect(quotas.take('key')).toEqual({ allowed: false, window: 'minute' });
    clock.advance(55_001); // the first request leaves the window
    expect(quotas.take('key').allowed).toBe(true);
  });

  it('free plan: 25 per UTC day, then the next day again', () => {
    const clock = fakeClock(Date.parse('2026-05-15T10:00:00Z'));
    const quotas = new QuotaTracker(PLANS.free.limits, clock.now);
    let accepted = 0;
    for (let index = 0; index < 40; index += 1) {
      if (quotas.take('key').allowed) accepted += 1;
      clock.advance(61_000);
    }
    expect(accepted).toBe(25);
    expect(quotas.take('key')).toEqual({ allowed: false, window: 'day' });
    clock.advance(24 * 3_600_000);
    expect(quotas.take('key').allowed).toBe(true);
  });

  it('counts each apikey on its own', () => {
    const quotas = new QuotaTracker({ perMinute: 1 }, fakeClock().now);
    expect(quotas.take('a').allowed).toBe(true);
    expect(quotas.take('a').allowed).toBe(false);
    expect(quotas.take('b').allowed).toBe(true);
  });

  it('premium plans have per-minute quotas and no daily cap', () => {
    expect(PLANS.premium75.limits).toEqual({ perMinute: 75 });
    expect(PLANS.premium1200.limits).toEqual({ perMinute: 1200 });
    const clock = fakeClock();
    const quotas = new QuotaTracker(PLANS.premium75.limits, clock.now);
    let accepted = 0;
    for (let index = 0; index < 100; index += 1) if (quotas.take('key').allowed) accepted += 1;
    expect(accepted).toBe(75);
  });
});

describe('FaultInjector', () => {
  it('fires for the next N requests only', () => {
    const faults = new FaultInjector([{ mode: 'http-error', count: 2 }], 1);
    expect(faults.choose('GLOBAL_QUOTE', 'IBM')?.mode).toBe('http-error');
    expect(faults.choose('GLOBAL_QUOTE', 'IBM')?.mode).toBe('http-error');
    expect(faults.choose('GLOBAL_QUOTE', 'IBM')).toBeUndefined();
    expect(faults.list()[0]?.remaining).toBe(0);
  });

  it('fires only for the given symbols and functions (case-insensitive)', () => {
    const faults = new FaultInjector([{ mode: 'empty-json', symbols: ['ibm'], functions: ['overview'] }], 1);
    expect(faults.choose('OVERVIEW', 'MSFT')).toBeUndefined();
    expect(faults.choose('GLOBAL_QUOTE', 'IBM')).toBeUndefined();
    expect(faults.choose('OVERVIEW', 'IBM')?.mode).toBe('empty-json');
  });

  it('fires with the given probability, the same requests for the same seed', () => {
    const run = (seed: number) => {
      const faults = new FaultInjector([{ mode: 'delay', probability: 0.2 }], seed);
      return Array.from({ length: 2000 }, () => faults.choose('GLOBAL_QUOTE', 'IBM') !== undefined);
    };
    const first = run(7);
    expect(run(7)).toEqual(first);
    expect(run(8)).not.toEqual(first);
    const rate = first.filter(Boolean).length / first.length;
    expect(rate).toBeGreaterThan(0.16);
    expect(rate).toBeLessThan(0.24);
  });

  it('takes the first rule that fires', () => {
    const faults = new FaultInjector([{ mode: 'timeout', symbols: ['AAPL'] }, { mode: 'malformed-json' }], 1);
    expect(faults.choose('GLOBAL_QUOTE', 'AAPL')?.mode).toBe('timeout');
    expect(faults.choose('GLOBAL_QUOTE', 'IBM')?.mode).toBe('malformed-json');
  });
});

describe('redactApiKey', () => {
  it('replaces the key wherever it is in the query', () => {
    expect(redactApiKey('/query?function=OVERVIEW&apikey=SECRET123&symbol=IBM')).toBe(
      '/query?function=OVERVIEW&apikey=***&symbol=IBM',
    );
    expect(redactApiKey('/query?APIKEY=SECRET123')).toBe('/query?APIKEY=***');
  });
});
