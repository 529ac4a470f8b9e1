/**
 * The Security page: everything `horton show` reads for one symbol (cli/commands/show.ts), with every stored
 * close for the chart.
 */
import { isEmpty, parseSymbol, readStoredSecurity } from '../../commands/show.ts';
import { CliError } from '../../errors.ts';
import type { Target } from '../../target.ts';

/** Nothing is stored under the name asked for: the page says so (HTTP 404). */
export class NotFoundError extends CliError {}

export async function readSecurity(target: Target, value: string) {
  const symbol = parseSymbol(value);
  const stored = await readStoredSecurity(target, symbol, undefined);
  if (isEmpty(stored)) {
    throw new NotFoundError(
      `nothing is stored for ${symbol}: it is not in the universe and was never collected (backfill it to collect it)`,
    );
  }
  return stored;
}
