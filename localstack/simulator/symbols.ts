/**
 * Which symbols the simulator knows, and their prices. Like AlphaVantage, it knows the symbols of its
 * LISTING_STATUS universe (universe.ts, active and delisted) and answers any other symbol as AlphaVantage
 * answers a symbol it has no data for. `anySymbol` widens that to every well-formed symbol, for load
 * benchmarks that need more distinct symbols than the universe lists.
 */
import { type RecordedFundamentals, recordedFundamentals, recordedPrice } from './fundamentals/recorded.ts';
import { canonicalSymbol, type DailyBar, roundCents, syntheticDailySeries } from './series.ts';
import { findListing } from './universe.ts';

/** 1-16 characters from A-Z 0-9 . - / : with a letter (real symbols look like BRK-B, -P-HIZ, BC/PB, ACWV:BAT). */
const SYMBOL_PATTERN = /^[A-Z0-9.\-/:]{1,16}$/i;

export function isWellFormedSymbol(symbol: string): boolean {
  return SYMBOL_PATTERN.test(symbol) && /[A-Z]/i.test(symbol);
}

export interface SymbolRules {
  /** Symbols answered as unknown even if listed (canonical spelling). */
  unknownSymbols: ReadonlySet<string>;
  /** Serve every well-formed symbol, not only the universe's. */
  anySymbol?: boolean;
}

export function isKnownSymbol(symbol: string, rules: SymbolRules): boolean {
  if (!isWellFormedSymbol(symbol) || rules.unknownSymbols.has(canonicalSymbol(symbol))) return false;
  return rules.anySymbol === true || findListing(symbol) !== undefined;
}

const scales = new Map<string, number>();

/**
 * The factor that puts a symbol's synthetic walk at its real price level where a recorded overview says
 * what that was (IBM's P/E would be 2 or 200 otherwise). It depends on the symbol only, never on the clock,
 * so a bar never changes once served.
 */
function priceScale(symbol: string, recorded: RecordedFundamentals): number {
  const canonical = canonicalSymbol(symbol);
  const key = `${recorded.directory}|${canonical}`;
  let scale = scales.get(key);
  if (scale === undefined) {
    const real = recordedPrice(recorded, canonical);
    const synthetic =
      real && syntheticDailySeries(canonical, new Date(`${real.date}T21:00:00Z`)).at(-1)?.close;
    scale = real && synthetic ? real.price / synthetic : 1;
    scales.set(key, scale);
  }
  return scale;
}

/**
 * The daily series a symbol has at `now`: from its listing date, ending at its delisting date if any, at its
 * real price level where a recording gives one (by default the repository's recordings, as the server).
 */
export function dailySeriesFor(
  symbol: string,
  now: Date,
  recorded: RecordedFundamentals = recordedFundamentals(),
): DailyBar[] {
  const listing = findListing(symbol);
  const bars = syntheticDailySeries(symbol, now, listing?.ipoDate);
  const delisted = listing?.delistingDate;
  const listed = delisted ? bars.filter((bar) => bar.date <= delisted) : bars;
  const scale = priceScale(symbol, recorded);
  if (scale === 1) return listed;
  return listed.map((bar) => ({
    ...bar,
    open: roundCents(bar.open * scale),
    high: roundCents(bar.high * scale),
    low: Math.max(0.01, roundCents(bar.low * scale)),
    close: roundCents(bar.close * scale),
  }));
}
