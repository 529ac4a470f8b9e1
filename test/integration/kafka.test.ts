import { randomUUID } from 'node:crypto';
import { type Admin, type Consumer, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../support/runner-support.ts';

// The broker of the stack the global setup started (never the developer's own stack).
const { kafkaBrokers } = inject('localStack');

function newKafka(clientId: string, retry?: KafkaConfig['retry']): Kafka {
  return new Kafka({
    clientId,
    brokers: kafkaBrokers,
    logLevel: logLevel.NOTHING,
    ...(retry ? { retry } : {}),
  });
}

function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

describe('Kafka broker of the local stack', () => {
  let admin: Admin;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    admin = newKafka('horton-test-admin').admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    await admin?.disconnect();
  });

  it('creates a topic and delivers a produced message, key and headers intact, to a consumer', async () => {
    // Prepare
    const topic = uniqueName('horton-test-roundtrip');
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const kafka = newKafka('horton-test-roundtrip');
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('horton-test-group'), maxWaitTimeInMs: 500 });
    consumers.push(consumer);
    const received: Array<{
      key: string | undefined;
      value: string | undefined;
      source: string | undefined;
    }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({
          key: message.key?.toString(),
          value: message.value?.toString(),
          source: message.headers?.source?.toString(),
        });
      },
    });

    // Act
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: 'IBM', value: '{"symbol":"IBM","interval":"5min"}', headers: { source: 'scheduler' } },
      ],
    });
    await producer.disconnect();
    await eventually(() => received.length > 0, 'the message to arrive');

    // Assess
    expect(created).toBe(true);
    expect(await admin.listTopics()).toContain(topic);
    expect(received).toEqual([
      { key: 'IBM', value: '{"symbol":"IBM","interval":"5min"}', source: 'scheduler' },
    ]);
  });

  it('refuses to auto-create a topic on produce, like MSK Serverless', async () => {
    // Prepare
    const topic = uniqueName('horton-test-missing');
    // Few, quick retries: the metadata refresh would otherwise retry for seconds before giving up.
    const producer = newKafka('horton-test-no-autocreate', { retries: 1, initialRetryTime: 100 }).producer({
      allowAutoTopicCreation: true,
    });
    await producer.connect();

    // Act
    const sending = producer.send({ topic, messages: [{ value: 'lost' }] });

    // Assess: the broker answers that it does not host the topic, and still does not list it
    await expect(sending).rejects.toThrow(/does not host this topic-partition/);
    await producer.disconnect();
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('splits the partitions of a topic between two consumers of one group', async () => {
    // Prepare
    const topic = uniqueName('horton-test-split');
    const partitionCount = 4;
    await admin.createTopics({ topics: [{ topic, numPartitions: partitionCount }], waitForLeaders: true });
    const groupId = uniqueName('horton-test-group');
    const kafka = newKafka('horton-test-split');
    const assignments = new Map<string, number[]>();
    const receivedBy = new Map<string, Array<{ partition: number; value: string }>>();
    for (const member of ['first', 'second']) {
      // kafkajs heartbeats between fetches: short fetch waits and heartbeats let the first member
      // notice the rebalance quickly when the second joins (and let disconnect return quickly).
      const consumer = kafka.consumer({
        groupId,
        heartbeatInterval: 500,
        sessionTimeout: 10_000,
        maxWaitTimeInMs: 500,
      });
      consumers.push(consumer);
      receivedBy.set(member, []);
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        assignments.set(member, event.payload.memberAssignment[topic] ?? []);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          receivedBy.get(member)?.push({ partition, value: message.value?.toString() ?? '' });
        },
      });
    }
    const stableSplit = () => {
      const first = assignments.get('first') ?? [];
      const second = assignments.get('second') ?? [];
      return first.length > 0 && second.length > 0 && first.length + second.length === partitionCount;
    };
    await eventually(stableSplit, 'both consumers to hold partitions');

    // Act
    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 4 * partitionCount }, (_, index) => ({
      partition: index % partitionCount,
      value: `message-${index}`,
    }));
    await producer.send({ topic, messages: sent });
    await producer.disconnect();
    const receivedCount = () => [...receivedBy.values()].reduce((sum, list) => sum + list.length, 0);
    await eventually(() => receivedCount() >= sent.length, 'every message to be consumed');

    // Assess
    const first = assignments.get('first') ?? [];
    const second = assignments.get('second') ?? [];
    expect([...first, ...second].sort()).toEqual([0, 1, 2, 3]);
    expect(first.filter((partition) => second.includes(partition))).toEqual([]);
    for (const [member, owned] of [
      ['first', first],
      ['second', second],
    ] as const) {
      const partitionsSeen = new Set(receivedBy.get(member)?.map((message) => message.partition));
      expect([...partitionsSeen].sort()).toEqual([...owned].sort());
    }
    const allValues = [...receivedBy.values()].flat().map((message) => message.value);
    expect(allValues.sort()).toEqual(sent.map((message) => message.value).sort());
  });
});
