/**
 * Fundamentals: the company overview and the latest annual income statement, balance sheet and cash flow, one
 * item each under (symbol, kind). All four are written in one transaction, so a reader never sees an overview
 * from one collection beside statements from another, and a failed write leaves nothing half-written.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { newestPeriodEnd } from '../domain/financials.ts';

export type FundamentalKind = 'OVERVIEW' | 'INCOME_STATEMENT' | 'BALANCE_SHEET' | 'CASH_FLOW';

export interface FundamentalItem {
  symbol: string;
  kind: FundamentalKind;
  /** Issue time of the root command: replays write the same value; older collections never overwrite newer. */
  collectedAt: string;
  fiscalDateEnding?: string;
  reportedCurrency?: string;
  data: Record<string, unknown>;
  /**
   * On the overview: answers in a row that were behind a quarter end, AlphaVantage still serving the old report
   * (model/domain/freshness.ts `unchangedAsksAfter`); absent when 0.
   */
  unchangedAsks?: number;
}

/** The part of a statement Horton keeps: the latest annual report. */
export interface LatestStatement {
  fiscalDateEnding: string;
  reportedCurrency: string;
  values: Record<string, number | null>;
}

/** What one collect-overview command fetched so far; `null` = that statement has no annual report. */
export interface StagedParts {
  OVERVIEW?: Record<string, unknown>;
  INCOME_STATEMENT?: LatestStatement | null;
  BALANCE_SHEET?: LatestStatement | null;
  CASH_FLOW?: LatestStatement | null;
}

/**
 * Sort key of a symbol's staged parts (one item at most per symbol). They expire after two days (TTL
 * `expiresAt`) should their command never complete (e.g. dead-lettered after its retries).
 */
const STAGED_KIND = 'STAGED';
const STAGED_TTL_SECONDS = 2 * 24 * 3600;

export async function loadStagedParts(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  commandId: string,
): Promise<StagedParts> {
  const { Item } = await doc.send(
    new GetCommand({ TableName: table, Key: { symbol, kind: STAGED_KIND }, ConsistentRead: true }),
  );
  return Item?.commandId === commandId ? ((Item.parts as StagedParts | undefined) ?? {}) : {};
}

export async function stageParts(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  commandId: string,
  parts: StagedParts,
): Promise<void> {
  await doc.send(
    new PutCommand({
      TableName: table,
      Item: {
        symbol,
        kind: STAGED_KIND,
        commandId,
        parts,
        expiresAt: Math.floor(Date.now() / 1000) + STAGED_TTL_SECONDS,
      },
    }),
  );
}

/**
 * @param clearStaged also delete the symbol's staged parts (in the same transaction when it writes)
 * @returns 'stale' when a fresher collection is already stored (nothing is written then).
 */
export async function putFundamentals(
  doc: DynamoDBDocumentClient,
  table: string,
  items: readonly FundamentalItem[],
  options: { clearStaged?: boolean } = {},
): Promise<'written' | 'stale'> {
  const symbol = items[0]?.symbol;
  const clear = options.clearStaged === true && symbol !== undefined;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          ...items.map((item) => ({
            Put: {
              TableName: table,
              Item: item,
              ConditionExpression: 'attribute_not_exists(symbol) OR collectedAt <= :collectedAt',
              ExpressionAttributeValues: { ':collectedAt': item.collectedAt },
            },
          })),
          ...(clear ? [{ Delete: { TableName: table, Key: { symbol, kind: STAGED_KIND } } }] : []),
        ],
      }),
    );
    return 'written';
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.some((reason) => reason.Code === 'ConditionalCheckFailed')
    ) {
      if (clear) await doc.send(new DeleteCommand({ TableName: table, Key: { symbol, kind: STAGED_KIND } }));
      return 'stale';
    }
    throw error;
  }
}

/** What the freshness rules read of a symbol's stored fundamentals. */
export interface StoredFundamentals {
  /** When the stored overview was collected. */
  collectedAt?: string;
  /** Newest fiscal period end stored: the overview's latest quarter or a statement's fiscalDateEnding. */
  latestPeriodEnd?: string;
  /** Answers in a row that were behind a quarter end (the overview's `unchangedAsks`); absent when 0. */
  unchangedAsks?: number;
}

/** One Query over the symbol's (at most four) items. */
export async function getStoredFundamentals(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
): Promise<StoredFundamentals> {
  const result = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'symbol = :symbol',
      ExpressionAttributeValues: { ':symbol': symbol },
    }),
  );
  return storedFundamentalsOf((result.Items ?? []) as FundamentalItem[]);
}

/** What the freshness rules read of a symbol's items (staged parts are ignored). */
export function storedFundamentalsOf(items: readonly FundamentalItem[]): StoredFundamentals {
  const overview = items.find((item) => item.kind === 'OVERVIEW');
  const latestPeriodEnd = newestPeriodEnd(items);
  return {
    ...(overview ? { collectedAt: overview.collectedAt } : {}),
    ...(latestPeriodEnd ? { latestPeriodEnd } : {}),
    ...(overview?.unchangedAsks ? { unchangedAsks: overview.unchangedAsks } : {}),
  };
}
