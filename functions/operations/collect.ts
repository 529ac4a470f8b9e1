/**
 * The operations function's logic: answers the CLI's requests (model/operations.ts) with Kafka reached through
 * injected ports, so the same code runs in the Lambda, in the local runner and in tests.
 */
import { deadLetterSchema, messageKey } from '../../model/messages.ts';
import {
  COMMAND_TOPIC_ROLES,
  type CommandTopicRole,
  completeCommand,
  type DeadLetterDetail,
  type DeadLetterEntry,
  type Deployment,
  type GroupOffsets,
  type OffsetsReport,
  type OperationsRequest,
  OperationsRequestError,
  operationsRequestSchema,
  REDRIVE_HEADER,
  REDRIVE_MARKER_KEY,
  type RedriveMarker,
  type RedriveReport,
  redriveMarkerSchema,
  type SendReport,
  type StatusReport,
  validateCommand,
} from '../../model/operations.ts';
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

type Parsed = Extract<ReturnType<typeof operationsRequestSchema.parse>, { action: string }>;
type DeadLetterQuery = Extract<Parsed, { action: 'dead-letters' | 'redrive' }>;

export async function operate(
  raw: OperationsRequest | unknown,
  deployment: Deployment,
  ports: OperationsPorts,
) {
  const parsed = operationsRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(request)'}: ${issue.message}`,
    );
    throw new OperationsRequestError(`Invalid operations request: ${problems.join('; ')}`);
  }
  const request = parsed.data;
  switch (request.action) {
    case 'describe':
      return deployment;
    case 'offsets':
      return offsets(deployment, ports);
    case 'status':
      return status(deployment, ports);
    case 'dead-letters':
      return { deadLetters: await deadLetters(deployment, ports, request) };
    case 'dead-letter':
      return deadLetterDetail(deployment, ports, request.partition, request.offset);
    case 'redrive':
      return redrive(deployment, ports, request);
    case 'send':
      return send(deployment, ports, request.role, request.message);
  }
}

async function offsets(deployment: Deployment, ports: OperationsPorts): Promise<OffsetsReport> {
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

async function status(deployment: Deployment, ports: OperationsPorts): Promise<StatusReport> {
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
  const [lastRecords, letters] = await Promise.all([ports.read(ranges), deadLetters(deployment, ports, {})]);
  const handlers = Object.values(report.groups).map((group) => {
    const topic = deployment.topics[roleOfGroup(deployment, group.groupId)];
    const last = Math.max(
      0,
      ...lastRecords.filter((record) => record.topic === topic).map((r) => r.timestamp),
    );
    return {
      handler: group.handler,
      role: roleOfGroup(deployment, group.groupId),
      groupId: group.groupId,
      lag: group.partitions.reduce((sum, partition) => sum + partitionLag(partition), 0),
      ...(last > 0 ? { lastProcessedAt: new Date(last).toISOString() } : {}),
    };
  });
  const redriven = letters.filter((letter) => letter.redriven).length;
  return { handlers, deadLetters: { total: letters.length, pending: letters.length - redriven, redriven } };
}

function roleOfGroup(deployment: Deployment, groupId: string): CommandTopicRole {
  const entry = Object.values(deployment.consumerGroups).find((group) => group.groupId === groupId);
  if (!entry) throw new Error(`unknown consumer group ${groupId}`);
  return entry.role;
}

/** Every record of the dead-letter topic from `fromOffsets` (default: the log start) to its end. */
async function readDeadLetterTopic(
  deployment: Deployment,
  ports: OperationsPorts,
  fromOffsets: Record<string, string> = {},
): Promise<ReadRecord[]> {
  const topic = deployment.topics.deadLetter;
  const ends = await ports.topicOffsets(topic);
  return ports.read(
    ends.map((end) => ({
      topic,
      partition: end.partition,
      from: fromOffsets[String(end.partition)] ?? end.low,
      to: end.high,
    })),
  );
}

function json(value: Buffer | null): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

function markerOf(record: ReadRecord): RedriveMarker | undefined {
  if (record.key?.toString('utf8') !== REDRIVE_MARKER_KEY) return undefined;
  const marker = redriveMarkerSchema.safeParse(json(record.value));
  return marker.success ? marker.data : undefined;
}

function entryOf(record: ReadRecord, markers: Map<string, RedriveMarker>): DeadLetterEntry {
  const base = {
    partition: record.partition,
    offset: record.offset,
    appendedAt: new Date(record.timestamp).toISOString(),
  };
  const marker = markers.get(`${record.partition}:${record.offset}`);
  const redriven = marker ? { redriven: { at: marker.redrivenAt, topic: marker.topic } } : {};
  const letter = deadLetterSchema.safeParse(json(record.value));
  if (!letter.success) {
    return {
      ...base,
      shape: 'other',
      reason: {
        code: record.headers['dead-letter-reason'] ?? 'unrecognised',
        message: 'not a Horton dead letter',
      },
      handler: 'unknown',
      ...redriven,
    };
  }
  const { reason, handler, source, correlationId } = letter.data;
  return {
    ...base,
    shape: 'horton',
    reason,
    handler,
    source: { topic: source.topic, partition: source.partition, offset: source.offset },
    ...(correlationId ? { correlationId } : {}),
    ...redriven,
  };
}

async function deadLetters(
  deployment: Deployment,
  ports: OperationsPorts,
  query: Partial<Omit<DeadLetterQuery, 'action'>>,
): Promise<DeadLetterEntry[]> {
  return (await deadLetterRecords(deployment, ports, query)).map(({ entry }) => entry);
}

/** The dead letters matching `query`, each with its record; redrive markers applied, never listed. */
async function deadLetterRecords(
  deployment: Deployment,
  ports: OperationsPorts,
  query: Partial<Omit<DeadLetterQuery, 'action'>>,
): Promise<Array<{ entry: DeadLetterEntry; record: ReadRecord }>> {
  // Markers may sit after the read start even for letters before it: read from the log start for them.
  const records = await readDeadLetterTopic(deployment, ports);
  const markers = new Map<string, RedriveMarker>();
  for (const record of records) {
    const marker = markerOf(record);
    if (marker) markers.set(`${marker.deadLetter.partition}:${marker.deadLetter.offset}`, marker);
  }
  const since = query.since ? Date.parse(query.since) : undefined;
  // A source record dead-lettered again (a crash between the dead letter and the offset commit) is a repeat of
  // the first: letters of one source share a dead-letter partition (keyed by source), so log order decides.
  const firstOfSource = new Map<string, { partition: number; offset: string }>();
  const withRepeats = records
    .filter((record) => record.key?.toString('utf8') !== REDRIVE_MARKER_KEY)
    .map((record) => {
      const entry = entryOf(record, markers);
      if (!entry.source) return { entry, record };
      const source = `${entry.source.topic}:${entry.source.partition}:${entry.source.offset}`;
      const first = firstOfSource.get(source);
      if (!first) firstOfSource.set(source, { partition: entry.partition, offset: entry.offset });
      return { entry: first ? { ...entry, repeatOf: first } : entry, record };
    });
  return withRepeats
    .filter(({ record }) => {
      const from = query.fromOffsets?.[String(record.partition)];
      return from === undefined || BigInt(record.offset) >= BigInt(from);
    })
    .filter(({ entry }) => !query.reason || entry.reason.code === query.reason)
    .filter(({ entry }) => since === undefined || Date.parse(entry.appendedAt) >= since)
    .filter(({ entry }) => !query.correlationId || entry.correlationId === query.correlationId);
}

async function deadLetterDetail(
  deployment: Deployment,
  ports: OperationsPorts,
  partition: number,
  offset: string,
): Promise<DeadLetterDetail> {
  const topic = deployment.topics.deadLetter;
  const [record] = await ports.read([{ topic, partition, from: offset, to: String(BigInt(offset) + 1n) }]);
  if (!record || record.offset !== offset || markerOf(record)) {
    throw new OperationsRequestError(`no dead letter at ${topic} partition ${partition} offset ${offset}`);
  }
  const [entry] = (
    await deadLetters(deployment, ports, { fromOffsets: { [String(partition)]: offset } })
  ).filter((candidate) => candidate.partition === partition && candidate.offset === offset);
  const letter = deadLetterSchema.safeParse(json(record.value));
  const text = (base64: string | null) =>
    base64 === null ? null : Buffer.from(base64, 'base64').toString('utf8');
  return {
    ...(entry ?? entryOf(record, new Map())),
    originalKey: letter.success ? text(letter.data.originalKey) : (record.key?.toString('utf8') ?? null),
    originalValue: letter.success
      ? text(letter.data.originalValue)
      : (record.value?.toString('utf8') ?? null),
    originalHeaders: letter.success ? decodeHeaders(letter.data.originalHeaders) : record.headers,
    ...(letter.success && letter.data.originalValueCut
      ? { originalValueCut: letter.data.originalValueCut }
      : {}),
  };
}

/** A dead letter's original headers (base64 values, one object per header) as one name -> text map. */
function decodeHeaders(headers: Array<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    headers.flatMap((header) =>
      Object.entries(header).map(([name, value]) => [name, Buffer.from(value, 'base64').toString('utf8')]),
    ),
  );
}

/**
 * Re-publishes each matching dead letter's original key, value and headers to its source topic, then writes a
 * marker for it, so a later redrive skips it. A crash between the two can resend a record once more; the
 * handlers' writes are idempotent, so that costs a duplicate delivery, not a wrong state.
 */
async function redrive(
  deployment: Deployment,
  ports: OperationsPorts,
  query: Omit<DeadLetterQuery, 'action'>,
): Promise<RedriveReport> {
  const matching = await deadLetterRecords(deployment, ports, query);
  const commandTopics = new Set(COMMAND_TOPIC_ROLES.map((role) => deployment.topics[role]));
  const report: RedriveReport = { sent: [], skipped: [] };
  const redrivenAt = ports.now().toISOString();
  const originals: OutgoingMessage[] = [];
  const markers: OutgoingMessage[] = [];
  for (const { entry, record } of matching) {
    const skip = (why: string) =>
      report.skipped.push({ offset: entry.offset, partition: entry.partition, why });
    const letter = deadLetterSchema.safeParse(json(record.value));
    if (entry.redriven) {
      skip(`already redriven at ${entry.redriven.at}`);
      continue;
    }
    if (entry.repeatOf) {
      skip(
        `repeat of the dead letter at partition ${entry.repeatOf.partition} offset ${entry.repeatOf.offset}`,
      );
      continue;
    }
    if (!letter.success) {
      skip('not a Horton dead letter: nothing to redrive');
      continue;
    }
    if (!commandTopics.has(letter.data.source.topic)) {
      skip(`source topic ${letter.data.source.topic} is not a command topic`);
      continue;
    }
    const cut = letter.data.originalValueCut;
    if (cut) {
      // Re-sending the kept head would only be dead-lettered again; the whole value is at its source offset.
      const { topic, partition, offset } = letter.data.source;
      skip(
        `the original value was cut to fit the dead letter (${cut.length} bytes, sha256 ${cut.sha256}); it is whole at ${topic} partition ${partition} offset ${offset} while the topic retains it`,
      );
      continue;
    }
    const original = letter.data;
    const text = (base64: string | null) =>
      base64 === null ? '' : Buffer.from(base64, 'base64').toString('utf8');
    originals.push({
      topic: original.source.topic,
      key: text(original.originalKey),
      value: text(original.originalValue),
      headers: {
        ...decodeHeaders(original.originalHeaders),
        [REDRIVE_HEADER]: `${entry.partition}:${entry.offset}`,
      },
    });
    const marker: RedriveMarker = {
      type: 'redrive-marker',
      v: 1,
      deadLetter: { partition: entry.partition, offset: entry.offset },
      redrivenAt,
      topic: letter.data.source.topic,
    };
    markers.push({
      topic: deployment.topics.deadLetter,
      key: REDRIVE_MARKER_KEY,
      value: JSON.stringify(marker),
    });
    report.sent.push({
      offset: entry.offset,
      partition: entry.partition,
      topic: letter.data.source.topic,
      reason: entry.reason.code,
      handler: entry.handler,
    });
  }
  if (originals.length === 0) return report;
  await ports.publish(originals);
  await ports.publish(markers);
  return report;
}

async function send(
  deployment: Deployment,
  ports: OperationsPorts,
  role: CommandTopicRole,
  message: unknown,
): Promise<SendReport> {
  const command = validateCommand(role, completeCommand(role, message, ports.now()));
  const key = messageKey(command);
  const topic = deployment.topics[role];
  await ports.publish([
    {
      topic,
      key,
      value: JSON.stringify(command),
      headers: { 'content-type': 'application/json', 'correlation-id': command.correlationId },
    },
  ]);
  return { topic, key, commandId: command.commandId };
}
