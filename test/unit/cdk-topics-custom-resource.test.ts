/**
 * The Kafka topics custom resource's core (functions/topics-custom-resource/topics.ts) against an in-memory
 * admin: the plan, idempotent creation, raised partitions, never-lowered partitions, delete only on request.
 * test/integration/topics-custom-resource.test.ts runs the same handler against the real local broker.
 */
import { describe, expect, it } from 'vitest';
import {
  handleTopicsEvent,
  planTopics,
  type TopicAdmin,
  type TopicsDependencies,
} from '../../functions/topics-custom-resource/topics.ts';
import { topicsResourceEvent } from '../support/topics-resource-event.ts';

/** An admin over a map of topic -> partition count, recording the calls that change it. */
class MemoryAdmin implements TopicAdmin {
  readonly calls: string[] = [];
  readonly configs = new Map<string, Record<string, string>>();
  connected = false;
  constructor(readonly topics: Map<string, number>) {}
  async connect() {
    this.connected = true;
  }
  async disconnect() {
    this.connected = false;
  }
  async listTopics() {
    return [...this.topics.keys()];
  }
  async fetchTopicMetadata({ topics }: { topics: string[] }) {
    return {
      topics: topics.map((name) => ({
        name,
        partitions: Array.from({ length: this.topics.get(name) ?? 0 }),
      })),
    };
  }
  async createTopics({
    topics,
  }: {
    topics: Array<{
      topic: string;
      numPartitions: number;
      configEntries?: Array<{ name: string; value: string }>;
    }>;
  }) {
    for (const { topic, numPartitions, configEntries } of topics) {
      this.calls.push(`create ${topic}:${numPartitions}`);
      this.topics.set(topic, numPartitions);
      if (configEntries) {
        this.configs.set(topic, Object.fromEntries(configEntries.map((entry) => [entry.name, entry.value])));
      }
    }
    return true;
  }
  async alterConfigs({
    resources,
  }: {
    resources: Array<{ type: number; name: string; configEntries: Array<{ name: string; value: string }> }>;
  }) {
    for (const { type, name, configEntries } of resources) {
      this.calls.push(`configure ${type}:${name}`);
      this.configs.set(name, Object.fromEntries(configEntries.map((entry) => [entry.name, entry.value])));
    }
    return {};
  }
  async createPartitions({ topicPartitions }: { topicPartitions: Array<{ topic: string; count: number }> }) {
    for (const { topic, count } of topicPartitions) {
      this.calls.push(`partitions ${topic}:${count}`);
      this.topics.set(topic, count);
    }
    return true;
  }
  async deleteTopics({ topics }: { topics: string[] }) {
    for (const topic of topics) {
      this.calls.push(`delete ${topic}`);
      this.topics.delete(topic);
    }
  }
}

const CLUSTER_ARN = 'arn:aws:kafka:us-east-1:111122223333:cluster/c/u-1';

function dependencies(admin: MemoryAdmin): TopicsDependencies & { resolved: string[] } {
  const resolved: string[] = [];
  return {
    resolved,
    resolveBrokers: async (clusterArn) => {
      resolved.push(clusterArn);
      return ['b-1:9098', 'b-2:9098'];
    },
    createAdmin: () => admin,
    log: () => {},
  };
}

const event = (
  requestType: 'Create' | 'Update' | 'Delete',
  topics: Array<[string, number] | [string, number, Record<string, string>]>,
  deleteTopicsOnRemove = 'false',
) => topicsResourceEvent(requestType, topics, { clusterArn: CLUSTER_ARN, deleteTopicsOnRemove });

describe('planTopics', () => {
  it('creates missing topics, raises lower counts, keeps equal and higher ones', () => {
    const plan = planTopics(
      new Map([
        ['equal', 3],
        ['lower', 1],
        ['higher', 6],
      ]),
      [
        { name: 'new', partitions: 2 },
        { name: 'equal', partitions: 3 },
        { name: 'lower', partitions: 4 },
        { name: 'higher', partitions: 3 },
      ],
    );
    expect(plan).toEqual({
      create: [{ name: 'new', partitions: 2 }],
      raise: [{ name: 'lower', from: 1, to: 4 }],
      unchanged: [{ name: 'equal', partitions: 3 }],
      keptHigher: [{ name: 'higher', actual: 6, configured: 3 }],
    });
  });
});

describe('handleTopicsEvent', () => {
  it('creates the topics on Create and returns the bootstrap brokers of the cluster', async () => {
    // Prepare
    const admin = new MemoryAdmin(new Map());
    const deps = dependencies(admin);
    // Act
    const response = await handleTopicsEvent(
      event('Create', [
        ['a', 1],
        ['b', 3],
      ]),
      deps,
    );
    // Assess
    expect(admin.calls).toEqual(['create a:1', 'create b:3']);
    expect(deps.resolved).toEqual([CLUSTER_ARN]);
    expect(response).toEqual({
      PhysicalResourceId: `kafka-topics:${CLUSTER_ARN}`,
      Data: {
        BootstrapBrokers: 'b-1:9098,b-2:9098',
        Created: 'a:1,b:3',
        Raised: 'none',
        Unchanged: 'none',
        Warnings: 'none',
      },
    });
    expect(admin.connected).toBe(false);
  });

  it('is idempotent: a second Create with the same topics changes nothing', async () => {
    const admin = new MemoryAdmin(new Map([['a', 1]]));
    const response = await handleTopicsEvent(event('Create', [['a', 1]]), dependencies(admin));
    expect(admin.calls).toEqual([]);
    expect(response.Data?.Unchanged).toBe('a:1');
  });

  it('raises partitions on Update and reports, without lowering, a topic configured below its count', async () => {
    const admin = new MemoryAdmin(
      new Map([
        ['a', 1],
        ['b', 6],
      ]),
    );
    const response = await handleTopicsEvent(
      event('Update', [
        ['a', 4],
        ['b', 3],
      ]),
      dependencies(admin),
    );
    expect(admin.calls).toEqual(['partitions a:4']);
    expect(admin.topics.get('b')).toBe(6);
    expect(response.Data?.Raised).toBe('a:1->4');
    expect(response.Data?.Warnings).toMatch(/^b keeps 6 partitions \(configured 3; Kafka cannot lower/);
  });

  it('keeps the topics on Delete unless DeleteTopicsOnRemove is "true", without touching the cluster', async () => {
    const admin = new MemoryAdmin(new Map([['a', 1]]));
    const deps = dependencies(admin);
    const response = await handleTopicsEvent(event('Delete', [['a', 1]]), deps);
    expect(admin.calls).toEqual([]);
    expect(deps.resolved).toEqual([]);
    expect(response.PhysicalResourceId).toBe(`kafka-topics:${CLUSTER_ARN}`);
  });

  it('deletes the existing ones of its topics on Delete when DeleteTopicsOnRemove is "true"', async () => {
    const admin = new MemoryAdmin(
      new Map([
        ['a', 1],
        ['other', 1],
      ]),
    );
    await handleTopicsEvent(
      event(
        'Delete',
        [
          ['a', 1],
          ['gone', 1],
        ],
        'true',
      ),
      dependencies(admin),
    );
    expect(admin.calls).toEqual(['delete a']);
    expect([...admin.topics.keys()]).toEqual(['other']);
  });

  it("creates a topic with its config and re-applies the config of an existing one (the dead-letter topic's retention)", async () => {
    // Prepare: 'dead' exists with the old retention.
    const admin = new MemoryAdmin(new Map([['dead', 1]]));
    admin.configs.set('dead', { 'retention.ms': '604800000' });
    // Act
    await handleTopicsEvent(
      event('Update', [
        ['dead', 1, { 'retention.ms': '1209600000' }],
        ['fresh', 1, { 'retention.ms': '86400000' }],
        ['plain', 1],
      ]),
      dependencies(admin),
    );
    // Assess: topic resource type 2 (Kafka's ConfigResource.Type.TOPIC); 'plain' has no config of Horton's.
    expect(admin.calls).toEqual(['create fresh:1', 'create plain:1', 'configure 2:dead']);
    expect(admin.configs.get('dead')).toEqual({ 'retention.ms': '1209600000' });
    expect(admin.configs.get('fresh')).toEqual({ 'retention.ms': '86400000' });
    expect(admin.configs.has('plain')).toBe(false);
  });

  it('rejects invalid properties with the path of each problem', async () => {
    const admin = new MemoryAdmin(new Map());
    const bad = event('Create', [['bad topic!', 0]]);
    await expect(handleTopicsEvent(bad, dependencies(admin))).rejects.toThrow(
      /Topics\.0\.Name.*Topics\.0\.Partitions/,
    );
    expect(admin.calls).toEqual([]);
  });
});
