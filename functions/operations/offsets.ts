/** `offsets`: each handler group's position against its topic's ends, and the dead-letter topic's ends. */
import type { Deployment, GroupOffsets, OffsetsReport } from '../../model/operations.ts';
import type { OperationsPorts } from './ports.ts';

export async function offsets(deployment: Deployment, ports: OperationsPorts): Promise<OffsetsReport> {
  const groups = {} as OffsetsReport['groups'];
  for (const [handler, { role, groupId }] of Object.entries(deployment.consumerGroups)) {
    const topic = deployment.topics[role];
    const [ends, committed] = await Promise.all([
      ports.topicOffsets(topic),
      ports.groupOffsets(groupId, topic),
    ]);
    const partitions: GroupOffsets[] = ends.map((end) => ({
      ...end,
      committed: committed.find((entry) => entry.partition === end.partition)?.offset ?? '-1',
    }));
    groups[role] = { handler, groupId, partitions };
  }
  return { groups, deadLetter: await ports.topicOffsets(deployment.topics.deadLetter) };
}

/** Records a group still has to process on a partition (from the log start when it has committed nothing). */
export function partitionLag(partition: GroupOffsets): number {
  const start = partition.committed === '-1' ? BigInt(partition.low) : BigInt(partition.committed);
  const lag = BigInt(partition.high) - start;
  return lag > 0n ? Number(lag) : 0;
}
