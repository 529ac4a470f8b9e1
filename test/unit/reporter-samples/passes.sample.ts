// Input of test/unit/summary-reporter.test.ts: a file that passes.
import { expect, it } from 'vitest';

it('passes', () => {
  expect(1 + 1).toBe(2);
});
