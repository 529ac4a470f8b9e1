/**
 * Freshness of each dataset of a page of securities, judged by the handlers' own rules
 * (model/domain/freshness.ts) at the current time: `fresh` when a collect command now would make no
 * call, `due` when it would, `deferred` when it is due but today's AlphaVantage budget (the limiter's day count
 * against the plan) is spent, so it waits for the next day, `no data` when the memory of answers without data
 * (docs/decisions/0033-no-data-memory.md) holds the call back, and `not collected` when nothing is stored and
 * nothing is remembered. Reads per page: one BatchGet each for quotes, overviews and history bookkeeping, and one
 * Query of indicators and one of the no-data memory per symbol; never the whole table.
 */
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HortonConfig } from '../../../model/config.ts';
import {
  fundamentalsFreshness,
  historyFactsOf,
  historyFreshness,
  indicatorFreshness,
  quoteFreshness,
} from '../../../model/domain/freshness.ts';
import type { Target } from '../../target.ts';
import type { Dataset, Freshness, NoDataView } from '../api-types.ts';

type Item = Record<string, unknown>;

/** The sort key of the history handler's bookkeeping item in the daily-prices table. */
const HISTORY_STATE_KEY = '#history';

async function batchGet(target: Target, table: string, keys: Item[]): Promise<Item[]> {
  if (keys.length === 0) return [];
  const doc = await target.doc();
  const items: Item[] = [];
  let pending: Item[] = keys;
  // BatchGet may return unprocessed keys under load: ask again for those.
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt += 1) {
    const result = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: pending } } }));
    items.push(...((result.Responses?.[table] ?? []) as Item[]));
    pending = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Item[];
  }
  return items;
}

function judge(call: boolean | undefined, budgetSpent: boolean, remembered: boolean): Freshness {
  // A remembered answer without data holds the call back: nothing is due until its next try.
  if (remembered && call !== false) return 'no data';
  if (call === undefined) return 'not collected';
  if (!call) return 'fresh';
  return budgetSpent ? 'deferred' : 'due';
}

/** The page's dataset a no-data entry belongs to (`indicator:<id>` entries to `indicators`). */
const datasetOf = (entry: NoDataView): Dataset =>
  (entry.dataset.startsWith('indicator:') ? 'indicators' : entry.dataset) as Dataset;

/** What the page's reads found: each table's item per symbol, and the indicators stored per symbol. */
interface StoredItems {
  quotes: Map<string, Item>;
  overviews: Map<string, Item>;
  histories: Map<string, Item>;
  indicators: Map<string, Item[]>;
}

const bySymbol = (items: Item[]) => new Map(items.map((item) => [String(item.symbol), item]));

/** When each indicator stored per symbol was collected: one Query per symbol, as a symbol has many indicators. */
async function storedIndicators(
  target: Target,
  table: string,
  symbols: string[],
): Promise<Map<string, Item[]>> {
  const entries = await Promise.all(
    symbols.map(async (symbol) => {
      const result = await (await target.doc()).send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'symbol = :symbol',
          ExpressionAttributeValues: { ':symbol': symbol },
          ProjectionExpression: 'collectedAt',
        }),
      );
      return [symbol, (result.Items ?? []) as Item[]] as const;
    }),
  );
  return new Map(entries);
}

/**
 * The page's reads, run together: one BatchGet each for quotes, overviews and history bookkeeping, and the
 * indicators' Queries.
 */
async function readStoredItems(target: Target, symbols: string[]): Promise<StoredItems> {
  const { tables } = await target.deployment();
  const [quotes, overviews, histories, indicators] = await Promise.all([
    batchGet(
      target,
      tables.quotes,
      symbols.map((symbol) => ({ symbol })),
    ).then(bySymbol),
    batchGet(
      target,
      tables.fundamentals,
      symbols.map((symbol) => ({ symbol, kind: 'OVERVIEW' })),
    ).then(bySymbol),
    batchGet(
      target,
      tables.dailyPrices,
      symbols.map((symbol) => ({ symbol, date: HISTORY_STATE_KEY })),
    ).then(bySymbol),
    storedIndicators(target, tables.indicators, symbols),
  ]);
  return { quotes, overviews, histories, indicators };
}

// Whether a collect command now would call for a dataset, from its stored item; undefined when nothing is stored.
function quoteCall(item: Item | undefined, now: Date): boolean | undefined {
  const quote = item?.latest as { observedAt?: string } | undefined;
  if (quote?.observedAt === undefined) return undefined;
  return quoteFreshness({ applied: false, lastObservedAt: quote.observedAt }, now).call;
}

function overviewCall(overview: Item | undefined, maxAgeDays: number, now: Date): boolean | undefined {
  if (typeof overview?.collectedAt !== 'string') return undefined;
  const latestQuarter = (overview.data as Item | undefined)?.latestQuarter;
  return fundamentalsFreshness(
    {
      collectedAt: overview.collectedAt,
      ...(typeof latestQuarter === 'string' ? { latestPeriodEnd: latestQuarter } : {}),
      ...(typeof overview.unchangedAsks === 'number' ? { unchangedAsks: overview.unchangedAsks } : {}),
      maxAgeDays,
    },
    now,
  ).call;
}

function historyCall(history: Item | undefined, now: Date): boolean | undefined {
  if (typeof history?.lastStoredDate !== 'string') return undefined;
  const stored = {
    lastStoredDate: history.lastStoredDate,
    fullLoadDone: history.fullLoadDone === true,
    ...(typeof history.lastAskedAt === 'string' ? { lastAskedAt: history.lastAskedAt } : {}),
  };
  return historyFreshness(historyFactsOf(stored, false), now).call;
}

/** Due when any stored indicator is due. */
function indicatorsCall(stored: Item[], now: Date): boolean | undefined {
  if (stored.length === 0) return undefined;
  return stored.some((item) => indicatorFreshness({ collectedAt: String(item.collectedAt) }, now).call);
}

/** The datasets a remembered answer without data holds back now. */
const heldDatasets = (entries: NoDataView[]): Set<Dataset> =>
  new Set(entries.filter((entry) => entry.holds).map(datasetOf));

/** Freshness per symbol and dataset, for at most 100 symbols (one BatchGet). */
export async function pageFreshness(
  target: Target,
  config: HortonConfig,
  symbols: string[],
  budgetSpent: boolean,
  now: Date,
  noData: Map<string, NoDataView[]> = new Map(),
): Promise<Record<string, Record<Dataset, Freshness>>> {
  const stored = await readStoredItems(target, symbols);
  const maxAgeDays = config.freshness.fundamentalsMaxAgeDays;
  const result: Record<string, Record<Dataset, Freshness>> = {};
  for (const symbol of symbols) {
    const held = heldDatasets(noData.get(symbol) ?? []);
    const freshness = (dataset: Dataset, call: boolean | undefined) =>
      judge(call, budgetSpent, held.has(dataset));
    result[symbol] = {
      quote: freshness('quote', quoteCall(stored.quotes.get(symbol), now)),
      overview: freshness('overview', overviewCall(stored.overviews.get(symbol), maxAgeDays, now)),
      history: freshness('history', historyCall(stored.histories.get(symbol), now)),
      indicators: freshness('indicators', indicatorsCall(stored.indicators.get(symbol) ?? [], now)),
    };
  }
  return result;
}
