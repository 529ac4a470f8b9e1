/**
 * The cold-import baseline of `npm run bench -- handlers`: the least a Kafka-triggered handler that writes
 * DynamoDB must load (a kafkajs producer and a DynamoDB document client at module scope), bundled the way the
 * stack bundles the real handlers. Handler bundles are measured against it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Kafka } from 'kafkajs';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const producer = new Kafka({ clientId: 'baseline', brokers: ['localhost:9092'] }).producer();

export const handler = async (event: { records: Record<string, Array<{ value: string }>> }) => {
  for (const records of Object.values(event.records)) {
    for (const record of records) {
      const message = JSON.parse(Buffer.from(record.value, 'base64').toString('utf8')) as { symbol: string };
      await doc.send(new PutCommand({ TableName: 'baseline', Item: { symbol: message.symbol } }));
      await producer.send({ topic: 'baseline', messages: [{ value: record.value }] });
    }
  }
};
