/** What the operations need from Kafka and the clock: injected, so the Lambda, the local runner and tests share the logic. */
import type { OutgoingMessage } from '../shared/kafka/producer.ts';
import type { OffsetRange, ReadRecord, TopicOffsets } from '../shared/kafka/reader.ts';

export interface OperationsPorts {
  topicOffsets(topic: string): Promise<TopicOffsets[]>;
  /** Committed offsets of a group on a topic; -1 for a partition it has not committed. */
  groupOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset: string }>>;
  read(ranges: OffsetRange[]): Promise<ReadRecord[]>;
  publish(messages: OutgoingMessage[]): Promise<void>;
  now(): Date;
}
