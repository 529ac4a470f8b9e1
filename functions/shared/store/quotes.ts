/**
 * Latest quote and rolling-average state, one item per symbol, written with optimistic concurrency: the write
 * succeeds only if the stored `version` is the one the new state was computed from. Concurrent invocations for
 * the same symbol (e.g. a backfill beside the schedule) therefore never lose an observation: the loser re-reads
 * and re-applies.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RollingAverageState } from '../domain/rolling-average.ts';

export interface LatestQuote {
  symbol: string;
  price: number;
  open: number;
  high: number;
  low: number;
  volume: number;
  latestTradingDay: string;
  previousClose: number;
  change: number;
  changePercent: number;
  /** When the collect command that fetched it was issued. */
  observedAt: string;
}

export interface QuoteItem {
  symbol: string;
  latest: LatestQuote;
  rolling: RollingAverageState;
}

export async function getQuoteItem(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
): Promise<QuoteItem | undefined> {
  const result = await doc.send(new GetCommand({ TableName: table, Key: { symbol }, ConsistentRead: true }));
  return result.Item as QuoteItem | undefined;
}

/** @returns false when another writer got there first (the caller re-reads and retries). */
export async function putQuoteItemIfVersion(
  doc: DynamoDBDocumentClient,
  table: string,
  item: QuoteItem,
  expectedVersion: number | undefined,
): Promise<boolean> {
  try {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: item,
        ...(expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(symbol)' }
          : {
              ConditionExpression: 'rolling.version = :expected',
              ExpressionAttributeValues: { ':expected': expectedVersion },
            }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
