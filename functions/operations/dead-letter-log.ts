/**
 * Reading the dead-letter topic: every record from the log start, redrive markers applied (and never listed),
 * repeats of one source record and redrive chains (original -> redrive -> new letter) linked, then filtered.
 */
import { type DeadLetter, deadLetterSchema } from '../../model/messages.ts';
import {
  type DeadLetterEntry,
  type DeadLetterList,
  type Deployment,
  REDRIVE_HEADER,
  REDRIVE_MARKER_KEY,
  type RedriveMarker,
  redriveMarkerSchema,
} from '../../model/operations.ts';
import type { ReadRecord } from '../shared/kafka/reader.ts';
import type { OperationsPorts } from './ports.ts';

export interface DeadLetterQuery {
  reason?: string | undefined;
  since?: string | undefined;
  correlationId?: string | undefined;
  fromOffsets?: Record<string, string> | undefined;
}

export interface LetterRecord {
  entry: DeadLetterEntry;
  record: ReadRecord;
}

function json(value: Buffer | null): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The Horton dead letter a record holds, if it holds one. */
export function letterOf(record: ReadRecord): DeadLetter | undefined {
  const letter = deadLetterSchema.safeParse(json(record.value));
  return letter.success ? letter.data : undefined;
}

export function markerOf(record: ReadRecord): RedriveMarker | undefined {
  if (record.key?.toString('utf8') !== REDRIVE_MARKER_KEY) return undefined;
  const marker = redriveMarkerSchema.safeParse(json(record.value));
  return marker.success ? marker.data : undefined;
}

/** A dead letter's original headers (base64 values, one object per header) as one name -> text map. */
export function decodeHeaders(headers: Array<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    headers.flatMap((header) =>
      Object.entries(header).map(([name, value]) => [name, Buffer.from(value, 'base64').toString('utf8')]),
    ),
  );
}

const at = (partition: number, offset: string) => `${partition}:${offset}`;

function parsePosition(value: string | undefined): { partition: number; offset: string } | undefined {
  const match = /^(\d+):(\d+)$/.exec(value ?? '');
  return match?.[1] && match[2] ? { partition: Number(match[1]), offset: match[2] } : undefined;
}

export function entryOf(record: ReadRecord, markers: Map<string, RedriveMarker>): DeadLetterEntry {
  const base = {
    partition: record.partition,
    offset: record.offset,
    appendedAt: new Date(record.timestamp).toISOString(),
  };
  const marker = markers.get(at(record.partition, record.offset));
  const redriven = marker ? { redriven: { at: marker.redrivenAt, topic: marker.topic } } : {};
  const letter = letterOf(record);
  if (!letter) {
    const code = record.headers['dead-letter-reason'] ?? 'unrecognised';
    const reason = { code, message: 'not a Horton dead letter' };
    return { ...base, shape: 'other', reason, handler: 'unknown', ...redriven };
  }
  const { reason, handler, source, correlationId } = letter;
  const redriveOf = parsePosition(decodeHeaders(letter.originalHeaders)[REDRIVE_HEADER]);
  return {
    ...base,
    shape: 'horton',
    reason,
    handler,
    source: { topic: source.topic, partition: source.partition, offset: source.offset },
    ...(correlationId ? { correlationId } : {}),
    ...redriven,
    ...(redriveOf ? { redriveOf } : {}),
  };
}

/** Every record of the dead-letter topic, from the log start to its end. */
async function readTopic(deployment: Deployment, ports: OperationsPorts): Promise<ReadRecord[]> {
  const topic = deployment.topics.deadLetter;
  const ends = await ports.topicOffsets(topic);
  return ports.read(ends.map((end) => ({ topic, partition: end.partition, from: end.low, to: end.high })));
}

/**
 * Entries of the letters in log order, with repeats and chains linked. A source record dead-lettered again (a
 * crash between the dead letter and the offset commit) is a repeat of the first: letters of one source share a
 * dead-letter partition (keyed by source), so log order decides.
 */
function linkEntries(records: ReadRecord[], markers: Map<string, RedriveMarker>): LetterRecord[] {
  const firstOfSource = new Map<string, { partition: number; offset: string }>();
  const letters = records
    .filter((record) => record.key?.toString('utf8') !== REDRIVE_MARKER_KEY)
    .map((record) => {
      const entry = entryOf(record, markers);
      if (!entry.source) return { entry, record };
      const source = `${entry.source.topic}:${entry.source.partition}:${entry.source.offset}`;
      const first = firstOfSource.get(source);
      if (!first) firstOfSource.set(source, { partition: entry.partition, offset: entry.offset });
      return { entry: first ? { ...entry, repeatOf: first } : entry, record };
    });
  const byPosition = new Map(
    letters.map((letter) => [at(letter.entry.partition, letter.entry.offset), letter]),
  );
  for (const { entry } of letters) {
    const origin = entry.redriveOf && byPosition.get(at(entry.redriveOf.partition, entry.redriveOf.offset));
    if (origin?.entry.redriven && !origin.entry.redriven.failedAgainAs) {
      origin.entry.redriven.failedAgainAs = { partition: entry.partition, offset: entry.offset };
    }
  }
  return letters;
}

/** The dead letters matching `query`, each with its record, and the number of markers read. */
export async function readDeadLetters(
  deployment: Deployment,
  ports: OperationsPorts,
  query: DeadLetterQuery,
): Promise<{ letters: LetterRecord[]; markers: number }> {
  // Markers may sit after the read start even for letters before it: read from the log start for them.
  const records = await readTopic(deployment, ports);
  const markers = new Map<string, RedriveMarker>();
  let markerRecords = 0;
  for (const record of records) {
    const marker = markerOf(record);
    if (record.key?.toString('utf8') === REDRIVE_MARKER_KEY) markerRecords += 1;
    if (marker) markers.set(at(marker.deadLetter.partition, marker.deadLetter.offset), marker);
  }
  const since = query.since ? Date.parse(query.since) : undefined;
  const letters = linkEntries(records, markers)
    .filter(({ record }) => {
      const from = query.fromOffsets?.[String(record.partition)];
      return from === undefined || BigInt(record.offset) >= BigInt(from);
    })
    .filter(({ entry }) => !query.reason || entry.reason.code === query.reason)
    .filter(({ entry }) => since === undefined || Date.parse(entry.appendedAt) >= since)
    .filter(({ entry }) => !query.correlationId || entry.correlationId === query.correlationId);
  return { letters, markers: markerRecords };
}

/** `dead-letters`: the matching entries, markers applied and not listed. */
export async function listDeadLetters(
  deployment: Deployment,
  ports: OperationsPorts,
  query: DeadLetterQuery,
): Promise<DeadLetterList> {
  const { letters, markers } = await readDeadLetters(deployment, ports, query);
  return { deadLetters: letters.map(({ entry }) => entry), markers };
}
