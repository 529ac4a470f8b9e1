/**
 * Daily prices and yearly close extremes. Both are keyed by symbol, so a symbol's history is one partition.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { DailyBar } from '../alphavantage/time-series.ts';
import type { YearExtremes } from '../domain/yearly-extremes.ts';
import { putAll } from './batch-write.ts';

export async function putDailyBars(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  bars: readonly DailyBar[],
): Promise<void> {
  await putAll(
    doc,
    table,
    bars.map((bar) => ({ symbol, ...bar })),
  );
}

type StoredYearExtremes = {
  symbol: string;
  year: number;
  highClose: number;
  highDate: string;
  lowClose: number;
  lowDate: string;
};

/** Stored extremes of the given years (a Query over the symbol's few year items, filtered in memory). */
export async function getYearlyExtremes(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  years?: readonly number[],
): Promise<YearExtremes[]> {
  const items: StoredYearExtremes[] = [];
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      KeyConditionExpression: 'symbol = :symbol',
      ExpressionAttributeValues: { ':symbol': symbol },
    },
  );
  for await (const page of pages) items.push(...((page.Items ?? []) as StoredYearExtremes[]));
  const wanted = years ? new Set(years) : undefined;
  return items
    .filter((item) => !wanted || wanted.has(item.year))
    .map((item) => ({
      year: item.year,
      high: { date: item.highDate, close: item.highClose },
      low: { date: item.lowDate, close: item.lowClose },
    }));
}

export async function putYearlyExtremes(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  extremes: readonly YearExtremes[],
): Promise<void> {
  await putAll(
    doc,
    table,
    extremes.map(
      (year): StoredYearExtremes => ({
        symbol,
        year: year.year,
        highClose: year.high.close,
        highDate: year.high.date,
        lowClose: year.low.close,
        lowDate: year.low.date,
      }),
    ),
  );
}

/**
 * Per-symbol bookkeeping of the history load, kept as one item in the daily-prices table under the sort key
 * `#history` ('#' sorts before every date, so date-range queries never see it). It is written last, after the
 * bars and the extremes: a crash before it leaves the old watermark, and the retry re-merges the same closes,
 * which is idempotent.
 */
export const HISTORY_STATE_SORT_KEY = '#history';

export interface HistoryState {
  /** Newest stored trading day. */
  lastStoredDate: string;
  /** Oldest stored trading day. */
  firstStoredDate: string;
  /** A `full` response has been stored (later loads can be compact). */
  fullLoadDone: boolean;
  /**
   * The issue time of the latest command that asked AlphaVantage and got bars, newer or not: no call before the
   * next close after it (ADR 0034). Absent in states written before the ask was recorded.
   */
  lastAskedAt?: string;
  /** The newest final bar of that answer: older than `lastStoredDate` never, equal when nothing was newer. */
  lastAnsweredDate?: string;
}

export async function getHistoryState(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
): Promise<HistoryState | undefined> {
  const result = await doc.send(
    new GetCommand({ TableName: table, Key: { symbol, date: HISTORY_STATE_SORT_KEY }, ConsistentRead: true }),
  );
  if (!result.Item) return undefined;
  const { lastStoredDate, firstStoredDate, fullLoadDone, lastAskedAt, lastAnsweredDate } =
    result.Item as HistoryState;
  return {
    lastStoredDate,
    firstStoredDate,
    fullLoadDone,
    ...(lastAskedAt ? { lastAskedAt } : {}),
    ...(lastAnsweredDate ? { lastAnsweredDate } : {}),
  };
}

export async function putHistoryState(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  state: HistoryState,
): Promise<void> {
  await doc.send(
    new PutCommand({ TableName: table, Item: { symbol, date: HISTORY_STATE_SORT_KEY, ...state } }),
  );
}

/**
 * The newest `count` daily bars of a symbol, ascending: one Query read backwards from the newest date. The key
 * condition starts at '0' so the `#history` item is never read.
 */
export async function getRecentBars(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  count: number,
): Promise<DailyBar[]> {
  const bars: DailyBar[] = [];
  const pages = paginateQuery(
    { client: doc, pageSize: Math.min(count, 1000) },
    {
      TableName: table,
      KeyConditionExpression: 'symbol = :symbol AND #date >= :first',
      ExpressionAttributeNames: { '#date': 'date' },
      ExpressionAttributeValues: { ':symbol': symbol, ':first': '0' },
      ScanIndexForward: false,
    },
  );
  for await (const page of pages) {
    bars.push(...((page.Items ?? []) as DailyBar[]));
    if (bars.length >= count) break;
  }
  return bars.slice(0, count).reverse();
}
