import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const { awsEndpoint, awsRegion } = inject('localStack');

describe('AWS emulator (moto) of the local stack', () => {
  const client = new DynamoDBClient({
    endpoint: awsEndpoint,
    region: awsRegion,
    credentials: { accessKeyId: 'horton-test', secretAccessKey: 'horton-test' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  const tableName = `horton-test-${randomUUID()}`;

  beforeAll(async () => {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
  });

  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    client.destroy();
  });

  it('stores an item and reads it back with every attribute type intact', async () => {
    // Prepare
    const item = {
      pk: 'SYMBOL#IBM',
      sk: 'BAR#2026-11-24T15:55:00Z',
      open: 221.5,
      volume: 125_000,
      tags: ['intraday', '5min'],
      source: { provider: 'alphavantage', adjusted: false },
    };

    // Act
    await documents.send(new PutCommand({ TableName: tableName, Item: item }));
    const read = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }),
    );

    // Assess
    expect(read.Item).toEqual(item);
  });

  it('rejects a conditional write whose condition fails and keeps the stored item', async () => {
    // Prepare
    const key = { pk: 'SYMBOL#MSFT', sk: 'BAR#2026-11-24T16:00:00Z' };
    await documents.send(new PutCommand({ TableName: tableName, Item: { ...key, close: 410.25 } }));

    // Act
    const overwrite = documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...key, close: 0 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );

    // Assess
    await expect(overwrite).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const read = await documents.send(
      new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    expect(read.Item).toEqual({ ...key, close: 410.25 });
  });
});
