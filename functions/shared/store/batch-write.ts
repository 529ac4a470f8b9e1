import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../errors.ts';

/** DynamoDB's BatchWriteItem limit. */
const BATCH_SIZE = 25;
const MAX_ROUNDS = 8;

/**
 * Puts items in batches of 25 and re-sends unprocessed items (throttling) with exponential backoff and jitter.
 * Puts are whole-item overwrites with deterministic content, so a retried or replayed batch converges to the
 * same state. If items remain unprocessed after the last round, throws a TransientError so the record is retried.
 */
export async function putAll(
  doc: DynamoDBDocumentClient,
  table: string,
  items: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH_SIZE) {
    let pending = items.slice(start, start + BATCH_SIZE).map((item) => ({ PutRequest: { Item: item } }));
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= MAX_ROUNDS) {
        throw new TransientError(
          'dynamodb-unprocessed',
          `${pending.length} items left unprocessed in ${table}`,
        );
      }
      if (round > 0) await sleep(Math.random() * 50 * 2 ** round);
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (result.UnprocessedItems?.[table] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
      );
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
