// Input of test/unit/summary-reporter.test.ts: a suite whose beforeAll throws (its tests end up skipped).
import { beforeAll, describe, expect, it } from 'vitest';

describe('a suite whose setup fails', () => {
  beforeAll(() => {
    throw new Error('setup failed on purpose');
  });
  it('never runs', () => {
    expect(1).toBe(1);
  });
});

it('passes', () => {
  expect(2).toBe(2);
});
