/**
 * The Dead letters page: the operations function's list, grouped as `horton dead-letters list` groups it,
 * filtered by handler and reason; one record's original; and redrive with the CLI's once-only rules (the
 * operations function skips what was redriven before and repeats of a record).
 */
import type { DeadLetterDetail, DeadLetterEntry, RedriveReport } from '../../../model/operations.ts';
import { deadLetterFilter, groupDeadLetters, parseOffset } from '../../commands/dead-letters.ts';
import type { Target } from '../../target.ts';
import type * as Api from '../api-types.ts';

export async function listDeadLetters(
  target: Target,
  filter: { handler?: string; reason?: string; since?: string },
): Promise<Api.DeadLetterList> {
  const { deadLetters } = await target.operate<{ deadLetters: DeadLetterEntry[] }>({
    action: 'dead-letters',
    ...deadLetterFilter(filter),
  });
  const shown = filter.handler
    ? deadLetters.filter((entry) => entry.handler === filter.handler)
    : deadLetters;
  return {
    groups: groupDeadLetters(deadLetters),
    handlers: [...new Set(deadLetters.map((entry) => entry.handler))].sort(),
    reasons: [...new Set(deadLetters.map((entry) => entry.reason.code))].sort(),
    deadLetters: shown.slice().reverse(),
  };
}

export function readDeadLetter(
  target: Target,
  partition: string,
  offset: string,
): Promise<Api.DeadLetterDetail> {
  return target.operate<DeadLetterDetail>({ action: 'dead-letter', ...parseOffset(offset, partition) });
}

/** Redrives what the filter selects (reason and time, as `horton dead-letters redrive` does). */
export function redrive(
  target: Target,
  filter: { reason?: string; since?: string },
): Promise<Api.RedriveReport> {
  return target.operate<RedriveReport>({ action: 'redrive', ...deadLetterFilter(filter) });
}
