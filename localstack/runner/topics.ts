/**
 * Creates Horton's topics on a broker, idempotently: missing topics are created with the configured partition
 * count, topics with fewer partitions than configured are grown. Kafka cannot shrink a topic, so a topic with
 * more partitions than configured is left alone and reported.
 */
import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { HortonConfig, TopicRole } from '../../model/config.ts';

export interface TopicReport {
  created: string[];
  grown: Array<{ topic: string; from: number; to: number }>;
  unchanged: string[];
  /** Topics with more partitions than configured (Kafka cannot remove partitions). */
  larger: Array<{ topic: string; actual: number; configured: number }>;
}

export interface EnsureTopicsOptions {
  /** Replication factor of created topics. @default 1 (one local broker) */
  replicationFactor?: number;
  /** Only these roles. @default every configured topic */
  roles?: readonly TopicRole[];
}

/** With an already connected admin client. */
async function ensureTopicsWithAdmin(
  admin: Admin,
  config: HortonConfig,
  options: EnsureTopicsOptions = {},
): Promise<TopicReport> {
  const roles = options.roles ?? (Object.keys(config.topics) as TopicRole[]);
  const wanted = roles.map((role) => config.topics[role]);
  const report: TopicReport = { created: [], grown: [], unchanged: [], larger: [] };
  const existing = new Set(await admin.listTopics());

  const missing = wanted.filter((topic) => !existing.has(topic.name));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: options.replicationFactor ?? 1,
      })),
    });
    report.created.push(...missing.map((topic) => topic.name));
  }

  const present = wanted.filter((topic) => existing.has(topic.name));
  if (present.length === 0) return report;
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((topic) => topic.name) });
  const actualPartitions = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
  const toGrow: Array<{ topic: string; from: number; to: number }> = [];
  for (const topic of present) {
    const actual = actualPartitions.get(topic.name) ?? 0;
    if (actual < topic.partitions) toGrow.push({ topic: topic.name, from: actual, to: topic.partitions });
    else if (actual > topic.partitions)
      report.larger.push({ topic: topic.name, actual, configured: topic.partitions });
    else report.unchanged.push(topic.name);
  }
  if (toGrow.length > 0) {
    await admin.createPartitions({
      validateOnly: false,
      topicPartitions: toGrow.map((grow) => ({ topic: grow.topic, count: grow.to })),
    });
    report.grown.push(...toGrow);
  }
  return report;
}

/** Connects an admin client to `brokers`, ensures the topics and disconnects. */
export async function ensureTopics(
  brokers: string[],
  config: HortonConfig,
  options: EnsureTopicsOptions = {},
): Promise<TopicReport> {
  const kafka = new Kafka({ clientId: `${config.prefix}-topics`, brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopicsWithAdmin(admin, config, options);
  } finally {
    await admin.disconnect();
  }
}
