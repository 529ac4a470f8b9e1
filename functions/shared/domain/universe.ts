import { TICKER_PATTERN } from '../../../model/symbols.ts';
import { DomainValidationError } from './errors.ts';
import { compareStrings } from './ordering.ts';

/**
 * Which securities Horton collects: either a slice of AlphaVantage's LISTING_STATUS universe or an
 * explicit watchlist. Both produce the same `Security` shape so the scheduler does not care which.
 */

/** One LISTING_STATUS row. Only the fields used here are typed; `'null'` strings are tolerated as null. */
export interface ListingRow {
  readonly symbol: string;
  readonly name: string;
  readonly exchange: string;
  readonly assetType: string;
  readonly ipoDate?: string | null;
  readonly delistingDate?: string | null;
  readonly status: string;
}

export interface UniverseFilter {
  /** Exchanges to keep (case-insensitive, e.g. `NYSE`, `NASDAQ`); omitted = every exchange. */
  readonly exchanges?: readonly string[];
  /** Asset types to keep (case-insensitive, e.g. `Stock`, `ETF`); omitted = every asset type. */
  readonly assetTypes?: readonly string[];
}

/** A security to collect. Listing metadata is absent for watchlist entries. */
export interface Security {
  /** Normalised ticker: trimmed, upper case, matching `TICKER_PATTERN`. */
  readonly symbol: string;
  readonly name?: string;
  readonly exchange?: string;
  readonly assetType?: string;
}

/** An input entry that was not turned into a `Security`, and why (for a log line or a metric). */
export interface SkippedSymbol {
  readonly symbol: string;
  readonly reason: string;
}

export interface UniverseSelection {
  /** De-duplicated by symbol and sorted by symbol (code-unit order, identical on every machine). */
  readonly securities: Security[];
  readonly skipped: SkippedSymbol[];
}

/**
 * Active securities of the listing that pass the filter.
 *
 * A row is active when its status is `Active` and it has no delisting date. Inactive rows and rows outside
 * the filter are simply not selected; rows with an unusable ticker and repeated symbols are listed in
 * `skipped`. When a symbol repeats, the row that sorts first by (exchange, assetType, name) is kept, so the
 * choice does not depend on the order of the CSV.
 */
export function selectUniverse(rows: readonly ListingRow[], filter: UniverseFilter = {}): UniverseSelection {
  const exchanges = normalizedFilterSet(filter.exchanges, 'filter.exchanges');
  const assetTypes = normalizedFilterSet(filter.assetTypes, 'filter.assetTypes');
  const skipped: SkippedSymbol[] = [];
  const candidates: Security[] = [];

  for (const row of rows) {
    if (!isActive(row)) continue;
    if (exchanges && !exchanges.has(row.exchange.trim().toUpperCase())) continue;
    if (assetTypes && !assetTypes.has(row.assetType.trim().toUpperCase())) continue;
    const symbol = normalizeTicker(row.symbol);
    const invalid = tickerProblem(symbol);
    if (invalid) {
      skipped.push({ symbol: row.symbol, reason: invalid });
      continue;
    }
    candidates.push({
      symbol,
      name: row.name.trim(),
      exchange: row.exchange.trim(),
      assetType: row.assetType.trim(),
    });
  }

  candidates.sort(
    (a, b) =>
      compareStrings(a.symbol, b.symbol) ||
      compareStrings(a.exchange ?? '', b.exchange ?? '') ||
      compareStrings(a.assetType ?? '', b.assetType ?? '') ||
      compareStrings(a.name ?? '', b.name ?? ''),
  );
  const securities = dropRepeatedSymbols(candidates, skipped);
  return { securities, skipped };
}

/**
 * Securities from a hand-maintained watchlist: entries are trimmed and upper-cased (`brk.b ` becomes
 * `BRK.B`), invalid or repeated entries are reported in `skipped` rather than thrown, so a typo in one
 * entry does not stop collection of the others.
 */
export function securitiesFromWatchlist(symbols: readonly string[]): UniverseSelection {
  const skipped: SkippedSymbol[] = [];
  const candidates: Security[] = [];
  for (const raw of symbols) {
    const symbol = normalizeTicker(raw);
    const invalid = tickerProblem(symbol);
    if (invalid) skipped.push({ symbol: String(raw), reason: invalid });
    else candidates.push({ symbol });
  }
  candidates.sort((a, b) => compareStrings(a.symbol, b.symbol));
  return { securities: dropRepeatedSymbols(candidates, skipped), skipped };
}

/** Trims and upper-cases a ticker; non-strings become '' so they are reported, not thrown. */
function normalizeTicker(raw: unknown): string {
  return typeof raw === 'string' ? raw.trim().toUpperCase() : '';
}

/** Why a normalised ticker is unusable, or `undefined` when it is fine. */
function tickerProblem(symbol: string): string | undefined {
  if (symbol === '') return 'empty symbol';
  if (!TICKER_PATTERN.test(symbol))
    return `not a ticker AlphaVantage accepts (expected e.g. IBM, BRK.B, BF-B)`;
  return undefined;
}

/** Keeps the first of each symbol in an already sorted list and records the rest as skipped. */
function dropRepeatedSymbols(sorted: readonly Security[], skipped: SkippedSymbol[]): Security[] {
  const kept: Security[] = [];
  for (const security of sorted) {
    if (kept.at(-1)?.symbol === security.symbol)
      skipped.push({ symbol: security.symbol, reason: 'duplicate symbol' });
    else kept.push(security);
  }
  return kept;
}

function isActive(row: ListingRow): boolean {
  const delisted =
    row.delistingDate != null && row.delistingDate.trim() !== '' && row.delistingDate !== 'null';
  return row.status?.trim().toLowerCase() === 'active' && !delisted;
}

/**
 * `undefined` means "no restriction". An EMPTY list is refused: read literally it selects nothing, read
 * loosely it selects all 13,000 listings and burns the API quota; either way it is a configuration mistake
 * that deserves a clear error.
 */
function normalizedFilterSet(values: readonly string[] | undefined, what: string): Set<string> | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.length === 0) {
    throw new DomainValidationError(`${what} must be omitted or a non-empty list`);
  }
  return new Set(values.map((value) => value.trim().toUpperCase()));
}
