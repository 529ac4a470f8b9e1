/**
 * The DynamoDB document client, created once per execution environment. Endpoint and credentials come from the
 * standard AWS SDK sources: in Lambda the function's role; locally `AWS_ENDPOINT_URL` pointing at the emulator.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 5 }), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
