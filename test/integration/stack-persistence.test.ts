/**
 * Both halves of the local stack have the same lifetime (ADR 0050): the emulator's tables and items survive
 * `down`/`up` and a `kill -9` of the emulator, as the broker's topics do. A stack of its own (state dir, ports), so
 * killing its emulator harms no other test.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  downLocalStack,
  type LocalStackOptions,
  localStackEndpoints,
  upLocalStack,
} from '../../localstack/stack/index.ts';
import { upOnFreePorts } from '../support/global-setup.ts';

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('local stack state across down/up and an emulator crash', () => {
  const { cacheDir } = inject('localStackConfig');
  const stateDir = path.join(path.dirname(cacheDir), `test-persistence-${process.pid}`);
  let options: LocalStackOptions | undefined;

  afterAll(async () => {
    if (options) await downLocalStack(options);
    await rm(stateDir, { recursive: true, force: true });
  });

  it('keeps tables, items and topics through down/up and through kill -9 of the emulator', async () => {
    // Prepare: a stack with a table, an item updated twice (order matters) and a topic
    const started = await upOnFreePorts({ stateDir, cacheDir, simulator: false, log: () => undefined });
    options = started.options;
    const stack = options;
    const { awsEndpoint, awsRegion, kafkaBrokers } = localStackEndpoints(stack);
    const client = () =>
      new DynamoDBClient({
        endpoint: awsEndpoint,
        region: awsRegion,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
    const setup = DynamoDBDocumentClient.from(client());
    await setup.send(
      new CreateTableCommand({
        TableName: 'persist-quotes',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'symbol', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'symbol', KeyType: 'HASH' }],
      }),
    );
    await setup.send(new PutCommand({ TableName: 'persist-quotes', Item: { symbol: 'IBM', version: 1 } }));
    await setup.send(
      new UpdateCommand({
        TableName: 'persist-quotes',
        Key: { symbol: 'IBM' },
        UpdateExpression: 'SET version = version + :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    const admin = new Kafka({ brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'persist-topic', numPartitions: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const readBack = async () => {
      const doc = DynamoDBDocumentClient.from(client());
      const tables = (await doc.send(new ListTablesCommand({}))).TableNames;
      const item = (await doc.send(new GetCommand({ TableName: 'persist-quotes', Key: { symbol: 'IBM' } })))
        .Item;
      const kafka = new Kafka({ brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
      await kafka.connect();
      const topics = await kafka.listTopics();
      await kafka.disconnect();
      doc.destroy();
      return { tables, item, hasTopic: topics.includes('persist-topic') };
    };

    // Act: down, then up
    const down = await downLocalStack(stack);
    const afterRestart = await upLocalStack(stack);
    const restored = await readBack();

    // Assess: the emulator stopped within its grace period, and its journal is folded into a snapshot
    expect(down.services.find((service) => service.name === 'aws')?.outcome).toBe('stopped');
    expect(afterRestart.alreadyRunning).toBe(false);
    const snapshot = path.join(stack.stateDir, 'aws', 'snapshot.pickle');
    for (let waited = 0; !existsSync(snapshot) && waited < 600; waited += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(snapshot)).toBe(true);
    // A write after the snapshot lives in the journal only until the next fold.
    await setup.send(new PutCommand({ TableName: 'persist-quotes', Item: { symbol: 'MSFT', version: 1 } }));
    expect(restored).toEqual({
      tables: ['persist-quotes'],
      item: { symbol: 'IBM', version: 2 },
      hasTopic: true,
    });

    // Act: the emulator is killed (no shutdown of any kind), then up
    const emulatorPid = afterRestart.services.find((service) => service.name === 'aws')?.pid;
    if (emulatorPid === undefined) throw new Error('aws missing from the up result');
    process.kill(emulatorPid, 'SIGKILL');
    for (let waited = 0; isAlive(emulatorPid) && waited < 100; waited += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const afterCrash = await upLocalStack(stack);
    const recovered = await readBack();

    // Assess: only the emulator was restarted, and it has its tables and items back
    expect(afterCrash.services.find((service) => service.name === 'aws')?.outcome).toBe('started');
    expect(afterCrash.services.find((service) => service.name === 'kafka')?.outcome).toBe('already-running');
    expect(recovered).toEqual(restored);
    const msft = await DynamoDBDocumentClient.from(client()).send(
      new GetCommand({ TableName: 'persist-quotes', Key: { symbol: 'MSFT' } }),
    );
    expect(msft.Item).toEqual({ symbol: 'MSFT', version: 1 });

    // Act: down folds the journal into the snapshot (ADR 0043). Then two journals set aside for folds are left
    // behind, as a kill during a fold leaves them: one the snapshot already holds (its fold number), one it does not.
    await downLocalStack(stack);
    const awsDir = path.join(stack.stateDir, 'aws');
    const journalAfterDown = statSync(path.join(awsDir, 'journal.jsonl')).size;
    const folds = [
      ...readFileSync(path.join(stack.stateDir, 'logs', 'aws.log'), 'utf8').matchAll(/\(fold (\d+)/g),
    ];
    const lastFold = Number(folds.at(-1)?.[1]);
    const increment = (by: number) =>
      `${JSON.stringify({
        method: 'POST',
        path: '/',
        headers: {
          'X-Amz-Target': 'DynamoDB_20120810.UpdateItem',
          'Content-Type': 'application/x-amz-json-1.0',
          Authorization: `AWS4-HMAC-SHA256 Credential=test/20261206/${awsRegion}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: Buffer.from(
          JSON.stringify({
            TableName: 'persist-quotes',
            Key: { symbol: { S: 'IBM' } },
            UpdateExpression: 'SET version = version + :by',
            ExpressionAttributeValues: { ':by': { N: String(by) } },
          }),
        ).toString('base64'),
      })}\n`;
    writeFileSync(path.join(awsDir, `journal.folded-${lastFold}.jsonl`), increment(100));
    writeFileSync(path.join(awsDir, `journal.folded-${lastFold + 1}.jsonl`), increment(1));
    await upLocalStack(stack);
    const afterFolds = await DynamoDBDocumentClient.from(client()).send(
      new GetCommand({ TableName: 'persist-quotes', Key: { symbol: 'IBM' } }),
    );

    // Assess: down left nothing to apply; the journal the snapshot holds was not applied again, the other was
    expect(journalAfterDown).toBe(0);
    expect(lastFold).toBeGreaterThan(0);
    expect(afterFolds.Item).toEqual({ symbol: 'IBM', version: 3 });
    setup.destroy();
  }, 240_000);
});
