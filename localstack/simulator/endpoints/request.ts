/** What a function family's answer needs to know about a request for one symbol. */
import type { LineEnding } from '../answers.ts';
import type { DailyBar } from '../series.ts';
import type { Listing } from '../universe.ts';

export interface SymbolRequest {
  params: URLSearchParams;
  /** As the client wrote it (AlphaVantage echoes it in Meta Data). */
  symbol: string;
  /** The trading date of the simulator clock. */
  today: string;
  wantsCsv: boolean;
  lineEnding: LineEnding;
  /** The symbol's bars, ascending; empty for a symbol the simulator does not know. */
  series: () => DailyBar[];
  /** The symbol's row in the universe, if it has one. */
  listing: Listing | undefined;
}
