/**
 * The Lambda Kafka event: Amazon MSK (`eventSource: "aws:kafka"`) and self-managed Apache Kafka
 * (`"SelfManagedKafka"`, and `"aws:SelfManagedKafka"` as some samples spell it). Records are grouped under
 * `"<topic>-<partition>"`; key and value are base64; headers are a list of single-entry objects whose values are
 * byte arrays (Java bytes, so possibly negative).
 */
import * as z from 'zod';

const byteArray = z.array(z.number().int().min(-128).max(255));

const kafkaRecordSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().min(0),
  offset: z.number().int().min(0),
  timestamp: z.number(),
  timestampType: z.string().optional(),
  key: z.string().nullable().optional(),
  value: z.string().nullable().optional(),
  headers: z.array(z.record(z.string(), byteArray)).default([]),
});

export const kafkaEventSchema = z.object({
  eventSource: z.enum(['aws:kafka', 'SelfManagedKafka', 'aws:SelfManagedKafka']),
  eventSourceArn: z.string().optional(),
  bootstrapServers: z.string().optional(),
  records: z.record(z.string(), z.array(kafkaRecordSchema)),
});

export type KafkaEvent = z.input<typeof kafkaEventSchema>;
export type RawKafkaRecord = z.input<typeof kafkaRecordSchema>;

/** One record, decoded to bytes, in delivery order within its partition. */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as bytes; one entry per header, in order (Kafka allows repeated names). */
  headers: Array<{ name: string; value: Buffer }>;
  /** The raw record as received, kept so a dead-letter record can carry the original bytes untouched. */
  raw: RawKafkaRecord;
}

/** Partial batch response item for Kafka event sources: `{ partition: "<topic>-<partition>", offset }`. */
export interface KafkaItemIdentifier {
  partition: string;
  offset: number;
}
export interface KafkaBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: KafkaItemIdentifier }>;
}

/** Java's signed bytes (-128..127) and unsigned bytes both map to the same octet. */
export function bytesFromJavaArray(values: readonly number[]): Buffer {
  return Buffer.from(values.map((byte) => byte & 0xff));
}

/** Inverse of `bytesFromJavaArray`, as Lambda encodes headers (signed bytes). */
export function bytesToJavaArray(bytes: Buffer): number[] {
  return [...bytes].map((byte) => (byte > 127 ? byte - 256 : byte));
}

/**
 * Validates the event and flattens it into records grouped per partition, each partition in offset order.
 * @throws Error if the event is not a Kafka event: the whole invocation is misconfigured, not one record.
 */
export function decodeKafkaEvent(event: unknown): Map<string, KafkaRecord[]> {
  const parsed = kafkaEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new Error(
      `Not an MSK or self-managed Kafka event: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  const partitions = new Map<string, KafkaRecord[]>();
  for (const [partitionKey, records] of Object.entries(parsed.data.records)) {
    const rawRecords = (event as KafkaEvent).records[partitionKey];
    const decoded = records
      .map(
        (record, index): KafkaRecord => ({
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          timestamp: record.timestamp,
          key: record.key == null ? null : Buffer.from(record.key, 'base64'),
          value: record.value == null ? null : Buffer.from(record.value, 'base64'),
          headers: record.headers.flatMap((header) =>
            Object.entries(header).map(([name, bytes]) => ({ name, value: bytesFromJavaArray(bytes) })),
          ),
          // Same index as in the validated copy: zod keeps array order.
          raw: rawRecords?.[index] ?? record,
        }),
      )
      .sort((a, b) => a.offset - b.offset);
    partitions.set(partitionKey, decoded);
  }
  return partitions;
}

/** Reads a header as UTF-8 text (last occurrence wins, as Kafka clients conventionally do). */
export function headerText(record: KafkaRecord, name: string): string | undefined {
  const matches = record.headers.filter((header) => header.name === name);
  return matches.at(-1)?.value.toString('utf8');
}
