/**
 * The no-data table: answers without data remembered per symbol and dataset (model/domain/no-data.ts). One
 * GetItem before a call; a PutItem when an answer without data comes; a DeleteItem when data comes again.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NO_DATA_RETENTION_DAYS, type NoDataEntry } from '../../../model/domain/no-data.ts';

export async function getNoData(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  dataset: string,
): Promise<NoDataEntry | undefined> {
  const result = await doc.send(new GetCommand({ TableName: table, Key: { symbol, dataset } }));
  return result.Item as NoDataEntry | undefined;
}

export async function putNoData(
  doc: DynamoDBDocumentClient,
  table: string,
  entry: NoDataEntry,
): Promise<void> {
  const expiresAt = Math.floor(Date.parse(entry.nextTryAt) / 1000) + NO_DATA_RETENTION_DAYS * 86_400;
  await doc.send(new PutCommand({ TableName: table, Item: { ...entry, expiresAt } }));
}

export async function deleteNoData(
  doc: DynamoDBDocumentClient,
  table: string,
  symbol: string,
  dataset: string,
): Promise<void> {
  await doc.send(new DeleteCommand({ TableName: table, Key: { symbol, dataset } }));
}
