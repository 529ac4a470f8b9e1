/**
 * "Latest snapshot" writes (securities, fundamentals, indicators): the item is replaced only if the stored one
 * was collected at the same time or earlier. `collectedAt` is the issuing time of the root command, not the wall
 * clock, so replaying a message writes exactly what the first delivery wrote, and a late replay of an old
 * command can never overwrite fresher data.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';

export interface Snapshot {
  collectedAt: string;
  [attribute: string]: unknown;
}

/** @returns 'written', or 'stale' when a fresher snapshot is already stored. */
export async function putSnapshot(
  doc: DynamoDBDocumentClient,
  table: string,
  partitionKeyName: string,
  item: Snapshot,
): Promise<'written' | 'stale'> {
  try {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk) OR collectedAt <= :collectedAt',
        ExpressionAttributeNames: { '#pk': partitionKeyName },
        ExpressionAttributeValues: { ':collectedAt': item.collectedAt },
      }),
    );
    return 'written';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'stale';
    throw error;
  }
}

/** Every item of a small table (the securities universe), following pagination. */
export async function scanAll<T>(doc: DynamoDBDocumentClient, table: string): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateScan({ client: doc }, { TableName: table })) {
    items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}

/** `collectedAt` of the item under (partition key, sort key), if stored. */
export async function getCollectedAt(
  doc: DynamoDBDocumentClient,
  table: string,
  key: Record<string, string>,
): Promise<string | undefined> {
  const result = await doc.send(
    new GetCommand({ TableName: table, Key: key, ProjectionExpression: 'collectedAt' }),
  );
  return (result.Item as { collectedAt?: string } | undefined)?.collectedAt;
}
