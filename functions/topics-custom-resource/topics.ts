/**
 * Core of the Kafka topics custom resource, free of AWS and of a real broker so it is tested directly: the plan
 * (pure) and its execution against an injected admin client.
 *
 * Rules: create missing topics; raise partition counts that are below the configured count; never lower one
 * (Kafka cannot remove partitions: the topic keeps its count and the resource reports it in `Warnings`); never
 * delete a topic, on update or on stack delete, unless `DeleteTopicsOnRemove` is "true" (then only on delete).
 * A topic's `Config` (e.g. the dead-letter topic's `retention.ms`) is set at creation and re-applied to an
 * existing topic on every create/update, so changing it in the configuration reaches the broker.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod';

/** The resource's properties as CloudFormation sends them (numbers and booleans arrive as strings). */
const topicsPropertiesSchema = z.object({
  ClusterArn: z.string().min(1),
  Topics: z
    .array(
      z.object({
        Name: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/),
        Partitions: z.coerce.number().int().min(1),
        /** Topic-level Kafka configs, e.g. `{ "retention.ms": "1209600000" }`. */
        Config: z.record(z.string(), z.coerce.string()).optional(),
      }),
    )
    .min(1),
  DeleteTopicsOnRemove: z.enum(['true', 'false']).default('false'),
});
export type TopicsProperties = z.output<typeof topicsPropertiesSchema>;

export interface DesiredTopic {
  name: string;
  partitions: number;
  /** Topic-level configs Horton owns on this topic. */
  config?: Record<string, string>;
}

export interface TopicPlan {
  create: DesiredTopic[];
  raise: Array<{ name: string; from: number; to: number }>;
  unchanged: Array<{ name: string; partitions: number }>;
  /** Topics with more partitions than configured: left as they are, reported. */
  keptHigher: Array<{ name: string; actual: number; configured: number }>;
}

/** Pure: what to do, given the partition counts of the topics that exist. */
export function planTopics(
  existing: ReadonlyMap<string, number>,
  desired: readonly DesiredTopic[],
): TopicPlan {
  const plan: TopicPlan = { create: [], raise: [], unchanged: [], keptHigher: [] };
  for (const topic of desired) {
    const actual = existing.get(topic.name);
    if (actual === undefined) plan.create.push(topic);
    else if (actual < topic.partitions)
      plan.raise.push({ name: topic.name, from: actual, to: topic.partitions });
    else if (actual > topic.partitions)
      plan.keptHigher.push({ name: topic.name, actual, configured: topic.partitions });
    else plan.unchanged.push({ name: topic.name, partitions: actual });
  }
  return plan;
}

/** The slice of the kafkajs admin client the resource uses. */
export interface TopicAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  fetchTopicMetadata(options: { topics: string[] }): Promise<{
    topics: Array<{ name: string; partitions: unknown[] }>;
  }>;
  createTopics(options: {
    topics: Array<{
      topic: string;
      numPartitions: number;
      configEntries?: Array<{ name: string; value: string }>;
    }>;
    waitForLeaders?: boolean;
    timeout?: number;
  }): Promise<boolean>;
  createPartitions(options: {
    topicPartitions: Array<{ topic: string; count: number }>;
    timeout?: number;
  }): Promise<boolean>;
  deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void>;
  alterConfigs(options: {
    validateOnly: boolean;
    resources: Array<{
      type: number;
      name: string;
      configEntries: Array<{ name: string; value: string }>;
    }>;
  }): Promise<unknown>;
}

function configEntries(config: Record<string, string> | undefined): Array<{ name: string; value: string }> {
  return Object.entries(config ?? {}).map(([name, value]) => ({ name, value }));
}

export interface TopicsDependencies {
  /** Bootstrap brokers of the cluster (GetBootstrapBrokers in AWS). */
  resolveBrokers(clusterArn: string): Promise<string[]>;
  /** An admin client for those brokers (IAM auth in AWS). */
  createAdmin(brokers: string[]): TopicAdmin;
  log(message: string, details?: Record<string, unknown>): void;
}

export interface TopicsResponse {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

const ADMIN_TIMEOUT_MS = 30_000;
/** Kafka's config resource type of a topic (kafkajs `ConfigResourceTypes.TOPIC`, not exported to ESM). */
const TOPIC_RESOURCE_TYPE = 2;

async function partitionCounts(admin: TopicAdmin, names: string[]): Promise<Map<string, number>> {
  const listed = new Set(await admin.listTopics());
  const present = names.filter((name) => listed.has(name));
  if (present.length === 0) return new Map();
  const metadata = await admin.fetchTopicMetadata({ topics: present });
  return new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
}

/** Creates and raises topics as planned; returns the plan it carried out. */
async function reconcileTopics(admin: TopicAdmin, desired: readonly DesiredTopic[]): Promise<TopicPlan> {
  const plan = planTopics(
    await partitionCounts(
      admin,
      desired.map((topic) => topic.name),
    ),
    desired,
  );
  if (plan.create.length > 0) {
    // `false` means "already existed": a concurrent creator won the race, which is fine (idempotent).
    await admin.createTopics({
      topics: plan.create.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        ...(topic.config ? { configEntries: configEntries(topic.config) } : {}),
      })),
      waitForLeaders: true,
      timeout: ADMIN_TIMEOUT_MS,
    });
  }
  if (plan.raise.length > 0) {
    await admin.createPartitions({
      topicPartitions: plan.raise.map((topic) => ({ topic: topic.name, count: topic.to })),
      timeout: ADMIN_TIMEOUT_MS,
    });
  }
  // Existing topics get their configs again (a changed retention reaches the broker). AlterConfigs replaces the
  // topic's dynamic configs with these: Horton owns its topics, so nothing else is expected there.
  const created = new Set(plan.create.map((topic) => topic.name));
  const reconfigure = desired.filter((topic) => topic.config && !created.has(topic.name));
  if (reconfigure.length > 0) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: reconfigure.map((topic) => ({
        type: TOPIC_RESOURCE_TYPE,
        name: topic.name,
        configEntries: configEntries(topic.config),
      })),
    });
  }
  return plan;
}

function describePlan(plan: TopicPlan): Record<string, string> {
  const list = (items: string[]) => (items.length > 0 ? items.join(',') : 'none');
  return {
    Created: list(plan.create.map((t) => `${t.name}:${t.partitions}`)),
    Raised: list(plan.raise.map((t) => `${t.name}:${t.from}->${t.to}`)),
    Unchanged: list(plan.unchanged.map((t) => `${t.name}:${t.partitions}`)),
    Warnings: list(
      plan.keptHigher.map(
        (t) =>
          `${t.name} keeps ${t.actual} partitions (configured ${t.configured}; Kafka cannot lower a partition count)`,
      ),
    ),
  };
}

/** The Provider framework's onEvent: create/update reconcile the topics; delete removes them only on request. */
export async function handleTopicsEvent(
  event: CloudFormationCustomResourceEvent,
  deps: TopicsDependencies,
): Promise<TopicsResponse> {
  const parsed = topicsPropertiesSchema.safeParse(event.ResourceProperties);
  if (!parsed.success) {
    throw new Error(
      `Invalid topics resource properties: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const properties = parsed.data;
  const desired = properties.Topics.map(
    (topic): DesiredTopic => ({
      name: topic.Name,
      partitions: topic.Partitions,
      ...(topic.Config ? { config: topic.Config } : {}),
    }),
  );
  // One physical resource per cluster: a new cluster ARN makes CloudFormation delete "the old resource", which
  // (without DeleteTopicsOnRemove) touches nothing.
  const physicalResourceId = `kafka-topics:${properties.ClusterArn}`;

  if (event.RequestType === 'Delete') {
    if (properties.DeleteTopicsOnRemove !== 'true') {
      deps.log('keeping topics on delete', { topics: desired.map((t) => t.name) });
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const admin = deps.createAdmin(await deps.resolveBrokers(properties.ClusterArn));
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const doomed = desired.map((t) => t.name).filter((name) => existing.has(name));
      if (doomed.length > 0) await admin.deleteTopics({ topics: doomed, timeout: ADMIN_TIMEOUT_MS });
      deps.log('deleted topics', { topics: doomed });
      return { PhysicalResourceId: event.PhysicalResourceId };
    } finally {
      await admin.disconnect();
    }
  }

  const brokers = await deps.resolveBrokers(properties.ClusterArn);
  const admin = deps.createAdmin(brokers);
  await admin.connect();
  try {
    const plan = await reconcileTopics(admin, desired);
    const data = describePlan(plan);
    if (plan.keptHigher.length > 0) deps.log('partition counts not lowered', { warnings: data.Warnings });
    deps.log('topics reconciled', data);
    return { PhysicalResourceId: physicalResourceId, Data: { ...data, BootstrapBrokers: brokers.join(',') } };
  } finally {
    await admin.disconnect();
  }
}
