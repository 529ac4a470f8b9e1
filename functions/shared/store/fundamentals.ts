/**
 * Fundamentals: the company overview and the latest annual income statement, balance sheet and cash flow, one
 * item each under (symbol, kind). All four are written in one transaction, so a reader never sees an overview
 * from one collection beside statements from another, and a failed write leaves nothing half-written.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

export type FundamentalKind = 'OVERVIEW' | 'INCOME_STATEMENT' | 'BALANCE_SHEET' | 'CASH_FLOW';

export interface FundamentalItem {
  symbol: string;
  kind: FundamentalKind;
  /** Issue time of the root command: replays write the same value; older collections never overwrite newer. */
  collectedAt: string;
  fiscalDateEnding?: string;
  reportedCurrency?: string;
  data: Record<string, unknown>;
}

/** @returns 'stale' when a fresher collection is already stored (nothing is written then). */
export async function putFundamentals(
  doc: DynamoDBDocumentClient,
  table: string,
  items: readonly FundamentalItem[],
): Promise<'written' | 'stale'> {
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: items.map((item) => ({
          Put: {
            TableName: table,
            Item: item,
            ConditionExpression: 'attribute_not_exists(symbol) OR collectedAt <= :collectedAt',
            ExpressionAttributeValues: { ':collectedAt': item.collectedAt },
          },
        })),
      }),
    );
    return 'written';
  } catch (error) {
    if (
      error instanceof TransactionCanceledException &&
      error.CancellationReasons?.some((reason) => reason.Code === 'ConditionalCheckFailed')
    ) {
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
  const items = (result.Items ?? []) as FundamentalItem[];
  const overview = items.find((item) => item.kind === 'OVERVIEW');
  const periodEnds = [overview?.data.latestQuarter, ...items.map((item) => item.fiscalDateEnding)].filter(
    (date): date is string => typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date),
  );
  const latestPeriodEnd = periodEnds.sort().at(-1);
  return {
    ...(overview ? { collectedAt: overview.collectedAt } : {}),
    ...(latestPeriodEnd ? { latestPeriodEnd } : {}),
  };
}
