/**
 * `horton backfill`'s request from its flags (cli/commands/backfill.ts): the explicit override of the no-data
 * memory reaches the backfill function only when asked for, and the function's contract accepts it.
 */
import { describe, expect, it } from 'vitest';
import { backfillRequest } from '../../cli/commands/backfill.ts';
import { backfillRequestSchema } from '../../functions/backfill/plan.ts';

const flags = { symbols: 'ZZZZ', datasets: 'quote,overview', follow: false, timeout: 60 };

describe('horton backfill --ask-again', () => {
  it('asks the backfill function to ask past the no-data memory', () => {
    const request = backfillRequest({ ...flags, askAgain: true });
    expect(request).toMatchObject({ symbols: ['ZZZZ'], askAgain: true });
    expect(backfillRequestSchema.safeParse(request).success).toBe(true);
  });

  it('leaves the memory in charge without the flag', () => {
    expect(backfillRequest(flags)).not.toHaveProperty('askAgain');
  });
});
