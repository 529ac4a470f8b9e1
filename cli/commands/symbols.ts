/**
 * `horton symbols`: what is stored, one row per symbol with the freshness of each dataset (overview collected,
 * last stored trading day, latest quote, latest indicator date), a page at a time; `--csv` for spreadsheets.
 */
import { GetCommand, ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { symbolSchema } from '../../model/messages.ts';
import { EXIT, UsageError } from '../errors.ts';
import { emit, type Io, table } from '../output.ts';
import { SIMULATED_NOTE, type Target } from '../target.ts';

export interface SymbolsOptions {
  limit: number;
  after?: string;
  csv: boolean;
}

export interface SymbolFreshness {
  symbol: string;
  name?: string;
  overviewCollectedAt?: string;
  historyLastDay?: string;
  quoteTradingDay?: string;
  indicatorsLatestDay?: string;
  indicators: number;
}

type Item = Record<string, unknown>;

async function scanAll(target: Target, input: ScanCommandInput): Promise<Item[]> {
  const doc = await target.doc();
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every stored symbol with its freshness; history's last day only for the page (one read per symbol). */
async function readFreshness(target: Target, options: SymbolsOptions) {
  const { tables } = await target.deployment();
  const [quotes, overviews, indicators, extremes] = await Promise.all([
    scanAll(target, { TableName: tables.quotes }),
    scanAll(target, {
      TableName: tables.fundamentals,
      FilterExpression: 'kind = :overview',
      ExpressionAttributeValues: { ':overview': 'OVERVIEW' },
    }),
    scanAll(target, { TableName: tables.indicators }),
    scanAll(target, { TableName: tables.yearlyExtremes, ProjectionExpression: 'symbol' }),
  ]);
  const rows = new Map<string, SymbolFreshness>();
  const row = (symbol: unknown) => {
    const key = String(symbol);
    const found = rows.get(key) ?? { symbol: key, indicators: 0 };
    rows.set(key, found);
    return found;
  };
  for (const item of extremes) row(item.symbol);
  for (const item of quotes)
    row(item.symbol).quoteTradingDay = String((item.latest as Item | undefined)?.latestTradingDay ?? '');
  for (const item of overviews) {
    const found = row(item.symbol);
    found.overviewCollectedAt = String(item.collectedAt ?? '');
    const name = (item.data as Item | undefined)?.name;
    if (typeof name === 'string') found.name = name;
  }
  for (const item of indicators) {
    const found = row(item.symbol);
    found.indicators += 1;
    const day = String(item.latestDate ?? '');
    if (day > (found.indicatorsLatestDay ?? '')) found.indicatorsLatestDay = day;
  }
  const sorted = [...rows.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
  const from = options.after ? sorted.findIndex((entry) => entry.symbol > (options.after ?? '')) : 0;
  const page = from < 0 ? [] : sorted.slice(from, from + options.limit);
  const doc = await target.doc();
  await Promise.all(
    page.map(async (entry) => {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tables.dailyPrices, Key: { symbol: entry.symbol, date: '#history' } }),
      );
      if (typeof Item?.lastStoredDate === 'string') entry.historyLastDay = Item.lastStoredDate;
    }),
  );
  const next = from >= 0 && from + options.limit < sorted.length ? page.at(-1)?.symbol : undefined;
  return { total: sorted.length, page, ...(next ? { next } : {}) };
}

const csvCell = (value: string | number | undefined) => {
  const text = String(value ?? '');
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Lists the stored symbols; exit 0 even when none is stored (an empty list is an answer). */
export async function symbols(target: Target, io: Io, options: SymbolsOptions): Promise<number> {
  if (options.after !== undefined && !symbolSchema.safeParse(options.after.toUpperCase()).success)
    throw new UsageError(`--after: "${options.after}" is not a ticker symbol (e.g. IBM, BRK.B)`);
  const after = options.after?.toUpperCase();
  const [{ total, page, next }, simulated] = await Promise.all([
    readFreshness(target, { ...options, ...(after ? { after } : {}) }),
    target.simulated(),
  ]);
  const columns = [
    'symbol',
    'name',
    'overviewCollectedAt',
    'historyLastDay',
    'quoteTradingDay',
    'indicatorsLatestDay',
    'indicators',
  ] as const;
  if (options.csv) {
    io.out(columns.join(','));
    for (const entry of page) io.out(columns.map((column) => csvCell(entry[column])).join(','));
    return EXIT.ok;
  }
  emit(io, { total, symbols: page, ...(next ? { next } : {}), simulated }, () => {
    if (total === 0) {
      io.out(
        'Nothing is stored yet (backfill: horton backfill --symbols IBM --datasets overview,history,quote).',
      );
      return;
    }
    if (simulated) io.out(SIMULATED_NOTE);
    const rows = table(io, ['Symbol', 'Name', 'Overview', 'History to', 'Quote of', 'Indicators']);
    for (const entry of page) {
      rows.push([
        entry.symbol,
        entry.name ?? '-',
        entry.overviewCollectedAt?.slice(0, 10) || '-',
        entry.historyLastDay ?? '-',
        entry.quoteTradingDay || '-',
        entry.indicators > 0 ? `${entry.indicators} to ${entry.indicatorsLatestDay}` : '-',
      ]);
    }
    io.out(`${page.length} of ${total} stored symbols:`);
    io.out(rows.toString());
    if (next) io.out(`Next page: horton symbols --after ${next}`);
  });
  return EXIT.ok;
}
