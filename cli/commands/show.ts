/** `horton show <symbol>`: everything stored for one security, read from DynamoDB, with terminal charts. */
import { GetCommand, paginateQuery, QueryCommand } from '@aws-sdk/lib-dynamodb';
import asciichart from 'asciichart';
import { describeNoData, type NoDataEntry } from '../../model/domain/no-data.ts';
import { symbolSchema } from '../../model/messages.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { emit, type Io, money, table } from '../output.ts';
import { SIMULATED_NOTE, type Target } from '../target.ts';

type Item = Record<string, unknown>;

/** Upper-cases and checks a ticker; throws UsageError naming the expected format. */
export function parseSymbol(value: string): string {
  const symbol = value.trim().toUpperCase();
  const result = symbolSchema.safeParse(symbol);
  if (!result.success) throw new UsageError(`<symbol>: "${value}" is not a ticker symbol (e.g. IBM, BRK.B)`);
  return symbol;
}

const STATEMENT_FIELDS: Record<string, string[]> = {
  INCOME_STATEMENT: ['totalRevenue', 'grossProfit', 'operatingIncome', 'netIncome'],
  BALANCE_SHEET: ['totalAssets', 'totalLiabilities', 'totalShareholderEquity'],
  CASH_FLOW: ['operatingCashflow', 'capitalExpenditures'],
};

export interface StoredSecurity {
  symbol: string;
  listing?: Item;
  fundamentals: Record<string, Item>;
  yearlyExtremes: Item[];
  quote?: Item;
  indicators: Item[];
  /** Most recent daily closes, oldest first. */
  recentCloses: Array<{ date: string; close: number }>;
  /** Answers without data remembered for the symbol (docs/decisions/0033-no-data-memory.md). */
  noData: NoDataEntry[];
}

/** Reads one security; `days` limits the closes to the most recent ones (all of them when undefined). */
export async function readStoredSecurity(
  target: Target,
  symbol: string,
  days: number | undefined,
): Promise<StoredSecurity> {
  const { tables } = await target.deployment();
  const doc = await target.doc();
  const query = async (table: string, extra: Partial<ConstructorParameters<typeof QueryCommand>[0]> = {}) => {
    const input = {
      TableName: table,
      KeyConditionExpression: 'symbol = :symbol',
      ExpressionAttributeValues: { ':symbol': symbol },
      ...extra,
    };
    // A limited read is one page; an unlimited one follows the pages (decades of closes pass 1 MB).
    if (input.Limit !== undefined) return ((await doc.send(new QueryCommand(input))).Items ?? []) as Item[];
    const items: Item[] = [];
    for await (const page of paginateQuery({ client: doc }, input))
      items.push(...((page.Items ?? []) as Item[]));
    return items;
  };
  const [listing, fundamentals, yearlyExtremes, quote, indicators, prices, noData] = await Promise.all([
    doc.send(new GetCommand({ TableName: tables.securities, Key: { symbol } })).then((r) => r.Item),
    query(tables.fundamentals),
    query(tables.yearlyExtremes),
    doc.send(new GetCommand({ TableName: tables.quotes, Key: { symbol } })).then((r) => r.Item),
    query(tables.indicators),
    // Dates sort after the `#history` bookkeeping item ('#' < '0'), so `>= 0` reads trading days only.
    query(tables.dailyPrices, {
      KeyConditionExpression: 'symbol = :symbol AND #date >= :first',
      ExpressionAttributeNames: { '#date': 'date' },
      ExpressionAttributeValues: { ':symbol': symbol, ':first': '0' },
      ScanIndexForward: false,
      ...(days === undefined ? {} : { Limit: days }),
    }),
    tables.noData ? query(tables.noData) : [],
  ]);
  return {
    symbol,
    ...(listing ? { listing } : {}),
    fundamentals: Object.fromEntries(fundamentals.map((item) => [String(item.kind), item])),
    yearlyExtremes: yearlyExtremes.sort((a, b) => Number(a.year) - Number(b.year)),
    ...(quote ? { quote } : {}),
    indicators,
    recentCloses: prices.map((item) => ({ date: String(item.date), close: Number(item.close) })).reverse(),
    noData: noData as unknown as NoDataEntry[],
  };
}

export function isEmpty(stored: StoredSecurity): boolean {
  return (
    !stored.listing &&
    Object.keys(stored.fundamentals).length === 0 &&
    stored.yearlyExtremes.length === 0 &&
    !stored.quote &&
    stored.indicators.length === 0 &&
    stored.recentCloses.length === 0 &&
    stored.noData.length === 0
  );
}

/** Chart points that fit 100 columns beside the 10-digit axis labels. */
const CHART_COLUMNS = 85;

const number = (value: unknown) =>
  typeof value === 'number'
    ? value.toLocaleString('en-US', { maximumFractionDigits: 2 })
    : String(value ?? '-');

export interface ShowOptions {
  days: number;
  years: number;
  csv: boolean;
}

/** Prints what is stored for a symbol; exit 4 when nothing is. */
export async function show(target: Target, io: Io, value: string, options: ShowOptions): Promise<number> {
  const symbol = parseSymbol(value);
  const [stored, simulated] = await Promise.all([
    readStoredSecurity(target, symbol, options.days),
    target.simulated(),
  ]);
  if (isEmpty(stored))
    throw new CliError(
      `nothing is stored for ${symbol} (list what is: horton symbols; backfill it: horton backfill --symbols ${symbol} --datasets overview,history,quote,indicators)`,
      EXIT.notFound,
    );
  if (options.csv) {
    io.out('date,close');
    for (const day of stored.recentCloses) io.out(`${day.date},${day.close}`);
    return EXIT.ok;
  }
  emit(io, { ...stored, simulated }, () => render(io, stored, options, simulated));
  return EXIT.ok;
}

function render(io: Io, stored: StoredSecurity, options: { years: number }, simulated: boolean): void {
  renderHeader(io, stored, simulated);
  renderStatements(io, stored);
  renderQuoteAndIndicators(io, stored);
  renderExtremes(io, stored, options.years);
  if (stored.recentCloses.length > 1) {
    const first = stored.recentCloses[0];
    const last = stored.recentCloses.at(-1);
    io.out(`\nDaily close, ${first?.date} to ${last?.date} (${stored.recentCloses.length} trading days):`);
    io.out(chart([stored.recentCloses.map((day) => day.close)], 10));
  }
}

/** A chart no wider than the terminal limit: the series' latest points when there are more. */
function chart(series: number[][], height: number): string {
  const points = CHART_COLUMNS;
  return asciichart.plot(
    series.map((values) => values.slice(-points)),
    { height, format: (x: number) => x.toFixed(2).padStart(10) },
  );
}

function renderHeader(io: Io, stored: StoredSecurity, simulated: boolean): void {
  const overview = (stored.fundamentals.OVERVIEW?.data ?? {}) as Item;
  const listing = stored.listing ?? {};
  io.out(`${stored.symbol}  ${String(overview.name ?? listing.name ?? '')}`);
  if (simulated) io.out(`  ${SIMULATED_NOTE}`);
  io.out(
    `  listing: ${listing.exchange ?? '-'} ${listing.assetType ?? ''} (source ${listing.source ?? 'not in the universe'})`,
  );
  if (overview.sector) io.out(`  sector ${overview.sector}, industry ${overview.industry ?? '-'}`);
  if (overview.marketCapitalization !== undefined) {
    io.out(
      `  market cap ${number(overview.marketCapitalization)}, P/E ${number(overview.peRatio)}, EPS ${number(overview.eps)}` +
        ` (overview collected ${stored.fundamentals.OVERVIEW?.collectedAt ?? '-'})`,
    );
  }
}

function renderStatements(io: Io, stored: StoredSecurity): void {
  const statements = table(io, ['Statement', 'Fiscal year end', 'Figures']);
  for (const [kind, fields] of Object.entries(STATEMENT_FIELDS)) {
    const report = stored.fundamentals[kind];
    if (!report) continue;
    const values = (report.data ?? {}) as Item;
    statements.push([
      kind.toLowerCase().replace('_', ' '),
      String(report.fiscalDateEnding ?? '-'),
      fields
        .filter((field) => values[field] !== undefined && values[field] !== null)
        .map((field) => `${field} ${number(values[field])}`)
        .join('\n'),
    ]);
  }
  if (statements.length > 0) {
    io.out('\nLatest annual statements:');
    io.out(statements.toString());
  }
}

function renderQuoteAndIndicators(io: Io, stored: StoredSecurity): void {
  const latest = stored.quote?.latest as Item | undefined;
  const rolling = stored.quote?.rolling as { average?: number; count?: number } | undefined;
  if (latest) {
    io.out(
      `\nLatest quote: ${money(latest.price)} on ${latest.latestTradingDay} (change ${number(latest.changePercent)}%)` +
        (rolling
          ? `; rolling average ${money(rolling.average)} over the last ${rolling.count ?? '?'} quotes`
          : ''),
    );
  }
  for (const entry of stored.noData) io.out(describeNoData(entry));

  if (stored.indicators.length > 0) {
    const indicators = table(io, ['Indicator', 'Date', 'Latest']);
    for (const item of stored.indicators) {
      const values = Object.entries((item.latest ?? {}) as Item).map(([name, v]) => `${name} ${number(v)}`);
      indicators.push([String(item.indicator), String(item.latestDate ?? '-'), values.join(', ')]);
    }
    io.out('\nIndicators:');
    io.out(indicators.toString());
  }
}

/** Yearly extremes, oldest year first (as everywhere else), the latest `years` of them, and a chart of all. */
function renderExtremes(io: Io, stored: StoredSecurity, years: number): void {
  const all = stored.yearlyExtremes;
  if (all.length === 0) return;
  const extremes = table(io, ['Year', 'Highest close', 'on', 'Lowest close', 'on']);
  for (const year of all.slice(-years)) {
    extremes.push([
      String(year.year),
      money(year.highClose),
      String(year.highDate),
      money(year.lowClose),
      String(year.lowDate),
    ]);
  }
  io.out(`\nYearly close extremes (latest ${Math.min(years, all.length)} of ${all.length} years):`);
  io.out(extremes.toString());
  if (all.length > 1) {
    io.out(`\nYearly highest (upper) and lowest (lower) close, ${all[0]?.year}-${all.at(-1)?.year}:`);
    io.out(chart([all.map((y) => Number(y.highClose)), all.map((y) => Number(y.lowClose))], 8));
  }
}
