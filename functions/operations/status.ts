/** `status`: per handler its lag and last processed record, and the dead-letter counts. */
import type { CommandTopicRole, Deployment, StatusReport } from '../../model/operations.ts';
import type { OffsetRange } from '../shared/kafka/reader.ts';
import { readDeadLetters } from './dead-letter-log.ts';
import { offsets, partitionLag } from './offsets.ts';
import type { OperationsPorts } from './ports.ts';

function roleOfGroup(deployment: Deployment, groupId: string): CommandTopicRole {
  const entry = Object.values(deployment.consumerGroups).find((group) => group.groupId === groupId);
  if (!entry) throw new Error(`unknown consumer group ${groupId}`);
  return entry.role;
}

export async function status(deployment: Deployment, ports: OperationsPorts): Promise<StatusReport> {
  const report = await offsets(deployment, ports);
  // The last processed record of each partition: the one just before the committed offset.
  const ranges: OffsetRange[] = Object.values(report.groups).flatMap((group) =>
    group.partitions
      .filter((partition) => BigInt(partition.committed) > 0n)
      .map((partition) => ({
        topic: deployment.topics[roleOfGroup(deployment, group.groupId)],
        partition: partition.partition,
        from: String(BigInt(partition.committed) - 1n),
        to: partition.committed,
      })),
  );
  const [lastRecords, { letters }] = await Promise.all([
    ports.read(ranges),
    readDeadLetters(deployment, ports, {}),
  ]);
  const handlers = Object.values(report.groups).map((group) => {
    const role = roleOfGroup(deployment, group.groupId);
    const topic = deployment.topics[role];
    const last = Math.max(
      0,
      ...lastRecords.filter((record) => record.topic === topic).map((r) => r.timestamp),
    );
    return {
      handler: group.handler,
      role,
      groupId: group.groupId,
      lag: group.partitions.reduce((sum, partition) => sum + partitionLag(partition), 0),
      ...(last > 0 ? { lastProcessedAt: new Date(last).toISOString() } : {}),
    };
  });
  const redriven = letters.filter(({ entry }) => entry.redriven).length;
  return { handlers, deadLetters: { total: letters.length, pending: letters.length - redriven, redriven } };
}
