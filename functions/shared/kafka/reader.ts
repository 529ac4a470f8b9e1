/**
 * Reads bounded offset ranges of topics (operators' inspection: dead letters, the last record a group
 * processed). kafkajs only consumes through a consumer group, so each read joins a throwaway group
 * (`<groupPrefix>-<uuid>`) that never commits: it leaves no offsets behind and never moves a handler's group.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

export interface OffsetRange {
  topic: string;
  partition: number;
  /** First offset to read. */
  from: string;
  /** Offset after the last one to read (e.g. the high watermark). */
  to: string;
}

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Append time, ms since epoch. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface TopicOffsets {
  partition: number;
  low: string;
  high: string;
}

export async function topicOffsets(admin: Admin, topic: string): Promise<TopicOffsets[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets
    .map((partition) => ({ partition: partition.partition, low: partition.low, high: partition.high }))
    .sort((a, b) => a.partition - b.partition);
}

/**
 * Every record in the given ranges, sorted by topic, partition and offset (ranges on one partition are read as
 * their span, so records between them come too). Ranges are clamped to what the log holds (an offset past its end reads nothing). Resolves early with what arrived when `timeoutMs` passes (a record deleted by retention mid-read).
 */
export async function readRanges(
  kafka: Kafka,
  groupPrefix: string,
  requested: OffsetRange[],
  timeoutMs = 20_000,
): Promise<ReadRecord[]> {
  const ranges = await clampToLog(kafka, requested);
  if (ranges.length === 0) return [];
  const records = await readSpans(kafka, groupPrefix, ranges, timeoutMs);
  return records.sort(
    (a, b) =>
      a.topic.localeCompare(b.topic) ||
      a.partition - b.partition ||
      Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

/** One range per partition (the reader follows one position per partition): the span of those asked for. */
function spanPerPartition(requested: OffsetRange[]): Map<string, OffsetRange> {
  const spans = new Map<string, OffsetRange>();
  for (const range of requested) {
    const key = `${range.topic}/${range.partition}`;
    const span = spans.get(key);
    spans.set(
      key,
      span
        ? {
            ...span,
            from: String(BigInt(span.from) < BigInt(range.from) ? span.from : range.from),
            to: String(BigInt(span.to) > BigInt(range.to) ? span.to : range.to),
          }
        : range,
    );
  }
  return spans;
}

/** The spans of the requested ranges, clamped to what each partition's log holds; empty ones dropped. */
async function clampToLog(kafka: Kafka, requested: OffsetRange[]): Promise<OffsetRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const bounds = new Map<string, { low: bigint; high: bigint }>();
    for (const topic of new Set(requested.map((range) => range.topic))) {
      for (const partition of await topicOffsets(admin, topic)) {
        bounds.set(`${topic}/${partition.partition}`, {
          low: BigInt(partition.low),
          high: BigInt(partition.high),
        });
      }
    }
    const ranges: OffsetRange[] = [];
    for (const [key, range] of spanPerPartition(requested)) {
      const bound = bounds.get(key);
      if (!bound) continue;
      const from = BigInt(range.from) > bound.low ? BigInt(range.from) : bound.low;
      const to = BigInt(range.to) < bound.high ? BigInt(range.to) : bound.high;
      if (from < to) ranges.push({ ...range, from: String(from), to: String(to) });
    }
    return ranges;
  } finally {
    await admin.disconnect();
  }
}

function toReadRecord(topic: string, partition: number, message: KafkaMessage): ReadRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
    key: message.key,
    value: message.value,
    headers: Object.fromEntries(
      Object.entries(message.headers ?? {}).map(([name, value]) => [
        name,
        Array.isArray(value) ? String(value.at(-1) ?? '') : String(value ?? ''),
      ]),
    ),
  };
}

/** Reads each range with a throwaway consumer group until every range's last offset arrived or time is up. */
async function readSpans(
  kafka: Kafka,
  groupPrefix: string,
  ranges: OffsetRange[],
  timeoutMs: number,
): Promise<ReadRecord[]> {
  const pending = new Map(ranges.map((range) => [`${range.topic}/${range.partition}`, range]));
  const records: ReadRecord[] = [];
  const consumer = kafka.consumer({
    groupId: `${groupPrefix}-${randomUUID()}`,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
  });
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const timer = setTimeout(finish, timeoutMs);
  try {
    await consumer.connect();
    const topics = [...new Set(ranges.map((range) => range.topic))];
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const key = `${topic}/${partition}`;
        const range = pending.get(key);
        if (!range) return;
        const offset = BigInt(message.offset);
        if (offset >= BigInt(range.from) && offset < BigInt(range.to)) {
          records.push(toReadRecord(topic, partition, message));
        }
        if (offset >= BigInt(range.to) - 1n) {
          pending.delete(key);
          if (pending.size === 0) finish();
        }
      },
    });
    for (const range of ranges) {
      consumer.seek({ topic: range.topic, partition: range.partition, offset: range.from });
    }
    await finished;
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
  }
  return records;
}
