/**
 * Creates the DynamoDB tables of the data model (model/tables.ts) in the local AWS emulator, idempotently.
 * The cloud creates the same tables from the same specs in the CDK app.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { type HortonConfig, type TableRole, tableNames } from '../model/config.ts';
import { TABLES } from '../model/tables.ts';

export interface LocalAwsTarget {
  endpoint: string;
  region: string;
}

/** Credentials the emulator accepts; never real ones, so a local run cannot touch an AWS account. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'horton-local', secretAccessKey: 'horton-local' } as const;

export function localDynamoDbClient(target: LocalAwsTarget): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: target.endpoint,
    region: target.region,
    credentials: LOCAL_CREDENTIALS,
  });
}

/** @returns the table names, by role, that now exist. */
export async function ensureTables(
  config: HortonConfig,
  target: LocalAwsTarget,
): Promise<Record<TableRole, string>> {
  const client = localDynamoDbClient(target);
  const names = tableNames(config);
  try {
    for (const role of Object.keys(TABLES) as TableRole[]) {
      const spec = TABLES[role];
      const keys = [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])];
      try {
        await client.send(
          new CreateTableCommand({
            TableName: names[role],
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
            KeySchema: keys.map((key, index) => ({
              AttributeName: key.name,
              KeyType: index === 0 ? 'HASH' : 'RANGE',
            })),
          }),
        );
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
        // Exists already: make sure its keys are the ones the handlers expect.
        const { Table } = await client.send(new DescribeTableCommand({ TableName: names[role] }));
        const actual = (Table?.KeySchema ?? []).map((key) => key.AttributeName).join(',');
        const expected = keys.map((key) => key.name).join(',');
        if (actual !== expected) {
          throw new Error(`table ${names[role]} exists with keys (${actual}), expected (${expected})`);
        }
      }
      await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: names[role] });
    }
  } finally {
    client.destroy();
  }
  return names;
}

/** The environment handlers need to reach the emulator (the AWS SDK reads these itself). */
export function localAwsEnvironment(target: LocalAwsTarget): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: target.endpoint,
    AWS_REGION: target.region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}
