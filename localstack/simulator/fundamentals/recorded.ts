/**
 * Recorded company data: where a real AlphaVantage OVERVIEW or statement response of a symbol is on disk
 * (by default the repository's excerpts in test/fixtures/alphavantage, e.g. IBM's), the simulator serves the
 * company's real figures instead of invented ones, from the newest recording already published on the
 * simulator's date (a clock in 2022 gets the 2022 recording; before any recording, synthetic data). An
 * overview's price fields (market cap, P/E, 52-week range, moving averages, yield ...) are recomputed from
 * the simulated prices, so they agree with what TIME_SERIES_DAILY serves.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addDays } from '../calendar.ts';
import { type FixtureEntry, indexFixtures, readFixture } from '../fixtures.ts';
import type { DailyBar } from '../series.ts';
import type { RawStatement } from './fields.ts';
import { priceFields, pythonFloat, pythonSignificant } from './overview.ts';

/** The repository's recorded excerpts (test/fixtures/PROVENANCE.md says where each comes from). */
const DEFAULT_RECORDED_DIR = fileURLToPath(new URL('../../../test/fixtures/alphavantage', import.meta.url));

/** A report is public this many days after its quarter ends (as for synthetic reports, periods.ts). */
const REPORTING_LAG_DAYS = 30;

export interface RecordedFundamentals {
  directory: string;
  entries: readonly FixtureEntry[];
}

const indexes = new Map<string, RecordedFundamentals>();

/** The recordings in `directory` (indexed once); none when the directory does not exist. */
export function recordedFundamentals(directory = DEFAULT_RECORDED_DIR): RecordedFundamentals {
  let index = indexes.get(directory);
  if (index === undefined) {
    index = { directory, entries: existsSync(directory) ? indexFixtures(directory) : [] };
    indexes.set(directory, index);
  }
  return index;
}

/** The newest non-legacy JSON recording of `fn` for `symbol` whose latest quarter was public by `today`. */
function newestPublished(
  recorded: RecordedFundamentals,
  fn: string,
  symbol: string,
  today: string,
  latestQuarter: (body: Record<string, unknown>) => unknown,
): Record<string, unknown> | undefined {
  const candidates = recorded.entries
    .filter(
      (entry) =>
        entry.functionName === fn && entry.key === symbol && entry.datatype === 'json' && !entry.legacy,
    )
    .sort((left, right) => right.vintage - left.vintage);
  for (const entry of candidates) {
    const body = JSON.parse(readFixture(recorded.directory, entry)) as Record<string, unknown>;
    const quarter = latestQuarter(body);
    if (typeof quarter === 'string' && addDays(quarter, REPORTING_LAG_DAYS) <= today) return body;
  }
  return undefined;
}

export function recordedStatement(
  recorded: RecordedFundamentals,
  statement: string,
  symbol: string,
  today: string,
): RawStatement | undefined {
  const body = newestPublished(recorded, statement, symbol, today, (candidate) => {
    const reports = candidate.quarterlyReports as { fiscalDateEnding?: unknown }[] | undefined;
    return reports?.[0]?.fiscalDateEnding;
  });
  return body as RawStatement | undefined;
}

/** The recorded overview with its price fields recomputed from `bars` (ascending). */
export function recordedOverview(
  recorded: RecordedFundamentals,
  symbol: string,
  today: string,
  bars: readonly DailyBar[],
): Record<string, string> | undefined {
  const body = newestPublished(recorded, 'OVERVIEW', symbol, today, (candidate) => candidate.LatestQuarter);
  const price = bars.at(-1)?.close;
  if (body === undefined || price === undefined) return undefined;
  const overview = body as Record<string, string>;
  const number = (field: string) => Number(overview[field]);
  const shares = number('SharesOutstanding');
  const marketCap = Math.round(price * shares);
  // Debt less cash, from the recorded enterprise value and market cap: it does not move with the price.
  const netDebt = number('EVToRevenue') * number('RevenueTTM') - number('MarketCapitalization');
  const priceChange = marketCap / number('MarketCapitalization');
  const repriced: Record<string, string> = {
    MarketCapitalization: String(marketCap),
    ...priceFields(bars, {
      eps: number('EPS'),
      bookValue: number('BookValue'),
      dividendPerShare: number('DividendPerShare') || 0,
    }),
    ForwardPE: pythonFloat(number('ForwardPE') * priceChange, 2),
    AnalystTargetPrice: pythonFloat(number('AnalystTargetPrice') * priceChange, 2),
    PriceToSalesRatioTTM: pythonSignificant(marketCap / number('RevenueTTM'), 4),
    EVToRevenue: pythonSignificant((marketCap + netDebt) / number('RevenueTTM'), 4),
    EVToEBITDA: pythonFloat((marketCap + netDebt) / number('EBITDA'), 2),
  };
  // Only fields the recording has, in its order; a field it reports as "None" stays so.
  const result: Record<string, string> = {};
  for (const [field, value] of Object.entries(overview)) {
    const replacement = repriced[field];
    result[field] =
      replacement === undefined || value === 'None' || replacement.includes('NaN') ? value : replacement;
  }
  return result;
}

/**
 * The real price level the newest recorded overview of `symbol` implies (market cap / shares) and the
 * trading date it belongs to (its latest quarter's end: the recording's own day is not in the body).
 */
export function recordedPrice(
  recorded: RecordedFundamentals,
  symbol: string,
): { price: number; date: string } | undefined {
  const body = newestPublished(
    recorded,
    'OVERVIEW',
    symbol,
    '9999-12-31',
    (candidate) => candidate.LatestQuarter,
  );
  const price = Number(body?.MarketCapitalization) / Number(body?.SharesOutstanding);
  const date = body?.LatestQuarter;
  return Number.isFinite(price) && price > 0 && typeof date === 'string' ? { price, date } : undefined;
}
