/**
 * The memory of answers without data (the `<prefix>-no-data` table, docs/decisions/0033-no-data-memory.md) as the
 * console shows it: the Budget page pages through its entries (a Scan of one page per view, continued by a
 * cursor, never the whole table), and the Securities page asks for the entries of its 25 symbols (one Query per
 * symbol). Each entry is described by the CLI's own line (`describeNoData`, as `horton status` prints it). The
 * handlers may add fields to an entry: only those read here are kept, and a missing one reads as unknown.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describeNoData, type NoDataEntry } from '../../../model/domain/no-data.ts';
import { UsageError } from '../../errors.ts';
import type { Target } from '../../target.ts';
import type { NoDataPage, NoDataView } from '../api-types.ts';

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** An entry as read, defensively: a field of another type than expected reads as empty. */
function noDataView(item: Record<string, unknown>, now: Date): NoDataView {
  const entry: NoDataEntry = {
    symbol: text(item.symbol),
    dataset: text(item.dataset),
    since: text(item.since),
    lastAskedAt: text(item.lastAskedAt),
    occurrences: typeof item.occurrences === 'number' ? item.occurrences : Number(item.occurrences ?? 0),
    nextTryAt: text(item.nextTryAt),
    code: text(item.code),
    answer: text(item.answer),
  };
  const nextTry = Date.parse(entry.nextTryAt);
  return {
    ...entry,
    holds: Number.isFinite(nextTry) && now.getTime() < nextTry,
    line: describeNoData(entry),
  };
}

const encodeCursor = (key: Record<string, unknown>) =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

function decodeCursor(cursor: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {}
  throw new UsageError(`after: "${cursor}" is not a cursor this console gave out`);
}

/** One page of the memory, in the table's order; `next` continues it. */
export async function pageNoData(
  target: Target,
  options: { after?: string; limit: number },
  now: Date,
): Promise<NoDataPage> {
  const { tables } = await target.deployment();
  const table = (tables as Partial<Record<string, string>>).noData;
  if (!table) return { table: null, entries: [] };
  const { Items = [], LastEvaluatedKey } = await (await target.doc()).send(
    new ScanCommand({
      TableName: table,
      Limit: options.limit,
      ...(options.after ? { ExclusiveStartKey: decodeCursor(options.after) } : {}),
    }),
  );
  return {
    table,
    entries: Items.map((item) => noDataView(item, now)),
    ...(LastEvaluatedKey ? { next: encodeCursor(LastEvaluatedKey) } : {}),
  };
}

/** The entries of each symbol (one Query per symbol, its partition). */
export async function noDataOf(
  target: Target,
  symbols: string[],
  now: Date,
): Promise<Map<string, NoDataView[]>> {
  const { tables } = await target.deployment();
  const table = (tables as Partial<Record<string, string>>).noData;
  if (!table || symbols.length === 0) return new Map();
  const doc = await target.doc();
  const entries = await Promise.all(
    symbols.map(async (symbol) => {
      const { Items = [] } = await doc.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'symbol = :symbol',
          ExpressionAttributeValues: { ':symbol': symbol },
        }),
      );
      return [symbol, Items.map((item) => noDataView(item, now))] as const;
    }),
  );
  return new Map(entries);
}
