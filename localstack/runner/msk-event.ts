/**
 * Builds Lambda events in exactly the Amazon MSK shape (what an MSK event source mapping delivers), from records
 * read with kafkajs. Pure: no I/O.
 *
 * Shape, as in the Lambda developer guide and the samples under test/fixtures/lambda-events:
 * `{ eventSource: "aws:kafka", eventSourceArn, bootstrapServers, records: { "<topic>-<partition>": [record] } }`,
 * each record `{ topic, partition, offset, timestamp, timestampType, key, value, headers }` with key and value
 * base64 (key null when the record has none) and headers a list of single-entry objects `{ name: [bytes] }`
 * whose bytes are Java's signed bytes (-128..127), as Lambda's Java poller serialises them.
 */
import type { KafkaMessage } from 'kafkajs';
import type { KafkaEvent, RawKafkaRecord } from '../../functions/shared/kafka/event.ts';
import { bytesToJavaArray } from '../../functions/shared/kafka/event.ts';
import { DEFAULT_LOCAL_REGION, LOCAL_ACCOUNT_ID } from './lambda-context.ts';

export type TimestampType = 'CREATE_TIME' | 'LOG_APPEND_TIME';

/** One record as read from the broker, independent of the client library. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: TimestampType;
  key: Buffer | null;
  value: Buffer | null;
  /** In wire order; Kafka allows a name to repeat. */
  headers: Array<{ name: string; value: Buffer }>;
}

/** kafkajs keeps the record batch's timestamp type (0 create time, 1 log-append time) on an untyped field. */
type KafkaMessageWithBatchContext = KafkaMessage & { batchContext?: { timestampType?: number } };

function headerBytes(value: Buffer | string | undefined | null): Buffer {
  if (value === undefined || value === null) return Buffer.alloc(0);
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** Converts a kafkajs message. kafkajs folds repeated header names into an array; they are unfolded here. */
export function fromKafkaMessage(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: ConsumedRecord['headers'] = [];
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values) headers.push({ name, value: headerBytes(value) });
  }
  const timestampType = (message as KafkaMessageWithBatchContext).batchContext?.timestampType;
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: timestampType === 1 ? 'LOG_APPEND_TIME' : 'CREATE_TIME',
    key: message.key ?? null,
    value: message.value ?? null,
    headers,
  };
}

export interface LocalCluster {
  /** ARN of the (local) MSK cluster, as `eventSourceArn`. */
  eventSourceArn: string;
  /** Comma-separated `host:port` list, as `bootstrapServers`. */
  bootstrapServers: string;
}

/**
 * A well-formed MSK cluster ARN for the local broker, so code that parses the ARN (region, cluster name) works
 * locally too. The trailing `-1` mimics the cluster-revision suffix of real ARNs.
 */
function localClusterArn(clusterName: string, region = DEFAULT_LOCAL_REGION): string {
  return `arn:aws:kafka:${region}:${LOCAL_ACCOUNT_ID}:cluster/${clusterName}/00000000-0000-4000-8000-000000000000-1`;
}

export function localCluster(
  brokers: readonly string[],
  clusterName = 'horton-local',
  region?: string,
): LocalCluster {
  return { eventSourceArn: localClusterArn(clusterName, region), bootstrapServers: brokers.join(',') };
}

/** The key Lambda groups records under, and the `partition` of a batch item failure. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

function toRawRecord(record: ConsumedRecord): RawKafkaRecord {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    key: record.key === null ? null : record.key.toString('base64'),
    value: record.value === null ? null : record.value.toString('base64'),
    headers: record.headers.map((header) => ({ [header.name]: bytesToJavaArray(header.value) })),
  };
}

/** Groups records per `<topic>-<partition>`, each group in offset order. */
export function buildMskEvent(records: readonly ConsumedRecord[], cluster: LocalCluster): KafkaEvent {
  const grouped: Record<string, RawKafkaRecord[]> = {};
  const sorted = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const record of sorted) {
    const key = partitionKey(record.topic, record.partition);
    grouped[key] ??= [];
    grouped[key].push(toRawRecord(record));
  }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: cluster.eventSourceArn,
    bootstrapServers: cluster.bootstrapServers,
    records: grouped,
  };
}
