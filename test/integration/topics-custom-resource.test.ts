/**
 * The Kafka topics custom resource handler against the REAL local broker (auth none): creates topics, raises
 * partitions on update, keeps a higher count, keeps topics on delete by default and deletes them on request.
 */
import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kafkaConfig } from '../../functions/shared/kafka/producer.ts';
import { handleTopicsEvent, type TopicsDependencies } from '../../functions/topics-custom-resource/topics.ts';
import { topicsResourceEvent } from '../support/topics-resource-event.ts';

const { kafkaBrokers } = inject('localStack');
const CLUSTER_ARN = 'arn:aws:kafka:us-east-1:000000000000:cluster/local/local-1';

const run = randomUUID().slice(0, 8);
const first = `horton-test-cr-${run}-a`;
const second = `horton-test-cr-${run}-b`;
const deadLetter = `horton-test-cr-${run}-dead-letter`;

function newKafka(clientId: string): Kafka {
  return new Kafka({
    ...kafkaConfig({ brokers: kafkaBrokers, auth: 'none', clientId }),
    logLevel: logLevel.NOTHING,
  });
}

/** As in AWS, except the brokers are the local stack's and there is no IAM. */
const dependencies: TopicsDependencies = {
  resolveBrokers: async () => kafkaBrokers,
  createAdmin: (brokers) =>
    new Kafka({
      ...kafkaConfig({ brokers, auth: 'none', clientId: 'horton-test-topics-cr' }),
      logLevel: logLevel.NOTHING,
    }).admin(),
  log: () => {},
};

const event = (
  requestType: 'Create' | 'Update' | 'Delete',
  topics: Array<[string, number] | [string, number, Record<string, string>]>,
  deleteTopicsOnRemove = false,
) =>
  topicsResourceEvent(requestType, topics, {
    clusterArn: CLUSTER_ARN,
    deleteTopicsOnRemove: String(deleteTopicsOnRemove),
    requestId: randomUUID(),
  });

describe('topics custom resource on the local broker', () => {
  let admin: Admin;

  async function partitions(): Promise<Record<string, number | undefined>> {
    const existing = new Set(await admin.listTopics());
    const present = [first, second].filter((topic) => existing.has(topic));
    const metadata =
      present.length > 0 ? await admin.fetchTopicMetadata({ topics: present }) : { topics: [] };
    const counts = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
    return { [first]: counts.get(first), [second]: counts.get(second) };
  }

  beforeAll(async () => {
    admin = newKafka('horton-test-topics-cr-observer').admin();
    await admin.connect();
  });

  afterAll(async () => {
    const existing = new Set(await admin.listTopics());
    const leftovers = [first, second, deadLetter].filter((topic) => existing.has(topic));
    if (leftovers.length > 0) await admin.deleteTopics({ topics: leftovers });
    await admin.disconnect();
  });

  it('creates the topics, then finds them in place on a repeated Create', async () => {
    // Act
    const created = await handleTopicsEvent(
      event('Create', [
        [first, 1],
        [second, 3],
      ]),
      dependencies,
    );
    // Assess
    expect(await partitions()).toEqual({ [first]: 1, [second]: 3 });
    expect(created.Data).toMatchObject({
      Created: `${first}:1,${second}:3`,
      BootstrapBrokers: kafkaBrokers.join(','),
    });
    const repeated = await handleTopicsEvent(
      event('Create', [
        [first, 1],
        [second, 3],
      ]),
      dependencies,
    );
    expect(repeated.Data).toMatchObject({ Created: 'none', Unchanged: `${first}:1,${second}:3` });
  });

  it('raises a partition count on Update and keeps a higher one, reporting it', async () => {
    // Act
    const updated = await handleTopicsEvent(
      event('Update', [
        [first, 4],
        [second, 2],
      ]),
      dependencies,
    );
    // Assess
    expect(await partitions()).toEqual({ [first]: 4, [second]: 3 });
    expect(updated.Data?.Raised).toBe(`${first}:1->4`);
    expect(updated.Data?.Warnings).toContain(`${second} keeps 3 partitions (configured 2`);
  });

  it("sets a topic's retention at creation and applies a changed one on Update", async () => {
    const retentionOf = async () => {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: kafkajs.ConfigResourceTypes.TOPIC, name: deadLetter, configNames: ['retention.ms'] },
        ],
      });
      return described.resources[0]?.configEntries.find((entry) => entry.configName === 'retention.ms')
        ?.configValue;
    };
    // Act + Assess: created with 14 days.
    await handleTopicsEvent(
      event('Create', [[deadLetter, 1, { 'retention.ms': '1209600000' }]]),
      dependencies,
    );
    expect(await retentionOf()).toBe('1209600000');
    // Act + Assess: the configuration changed to 3 days; the existing topic follows.
    await handleTopicsEvent(
      event('Update', [[deadLetter, 1, { 'retention.ms': '259200000' }]]),
      dependencies,
    );
    expect(await retentionOf()).toBe('259200000');
  });

  it('keeps the topics on Delete by default and deletes them when asked', async () => {
    // Act + Assess: default delete keeps them.
    await handleTopicsEvent(
      event('Delete', [
        [first, 4],
        [second, 3],
      ]),
      dependencies,
    );
    expect(await partitions()).toEqual({ [first]: 4, [second]: 3 });
    // Act + Assess: deleteTopicsOnRemove removes them.
    await handleTopicsEvent(
      event(
        'Delete',
        [
          [first, 4],
          [second, 3],
        ],
        true,
      ),
      dependencies,
    );
    const deadline = Date.now() + 30_000;
    let remaining = await partitions();
    while ((remaining[first] !== undefined || remaining[second] !== undefined) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      remaining = await partitions();
    }
    expect(remaining).toEqual({ [first]: undefined, [second]: undefined });
  });
});
