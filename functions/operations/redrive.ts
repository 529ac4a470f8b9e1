/**
 * `redrive`: re-publishes each chosen dead letter's original key, value and headers to its source topic, then
 * writes a marker for it, so a later redrive skips it. A redriven record that fails again becomes a new dead
 * letter naming its origin (header `horton-redrive-of`); that one is not redriven again without `force`, so a
 * record that always fails is tried once more and then reported, never looped. A crash between re-publish and
 * marker can resend a record once more; the handlers' writes are idempotent, so that costs a duplicate
 * delivery, not a wrong state.
 */
import type { DeadLetter } from '../../model/messages.ts';
import {
  COMMAND_TOPIC_ROLES,
  type Deployment,
  OperationsNotFoundError,
  REDRIVE_HEADER,
  REDRIVE_MARKER_KEY,
  type RedriveMarker,
  type RedriveReport,
} from '../../model/operations.ts';
import type { OutgoingMessage } from '../shared/kafka/producer.ts';
import {
  type DeadLetterQuery,
  decodeHeaders,
  type LetterRecord,
  letterOf,
  readDeadLetters,
} from './dead-letter-log.ts';
import type { OperationsPorts } from './ports.ts';

export interface RedriveQuery extends DeadLetterQuery {
  offsets?: Array<{ partition: number; offset: string }> | undefined;
  dryRun: boolean;
  force: boolean;
}

/** Why a letter is not redriven, or undefined when it is. */
function skipReason(
  { entry }: LetterRecord,
  letter: DeadLetter | undefined,
  commandTopics: Set<string>,
  force: boolean,
): string | undefined {
  if (entry.redriven) {
    const again = entry.redriven.failedAgainAs;
    return `already redriven at ${entry.redriven.at}${again ? `; failed again as ${again.partition}:${again.offset}` : ''}`;
  }
  if (entry.repeatOf)
    return `repeat of the dead letter at partition ${entry.repeatOf.partition} offset ${entry.repeatOf.offset}`;
  if (!letter) return 'not a Horton dead letter: nothing to redrive';
  if (entry.redriveOf && !force) {
    const { partition, offset } = entry.redriveOf;
    return `failed again after the redrive of ${partition}:${offset}; redrive it with --force once the cause is fixed`;
  }
  if (!commandTopics.has(letter.source.topic))
    return `source topic ${letter.source.topic} is not a command topic`;
  const cut = letter.originalValueCut;
  if (cut) {
    // Re-sending the kept head would only be dead-lettered again; the whole value is at its source offset.
    const { topic, partition, offset } = letter.source;
    return `the original value was cut to fit the dead letter (${cut.length} bytes, sha256 ${cut.sha256}); it is whole at ${topic} partition ${partition} offset ${offset} while the topic retains it`;
  }
  return undefined;
}

/** The letters a redrive considers: those at the given offsets (each must be one), else all matching. */
async function chosenLetters(deployment: Deployment, ports: OperationsPorts, query: RedriveQuery) {
  const { letters, markers } = await readDeadLetters(deployment, ports, query);
  if (!query.offsets) return { letters, markers };
  const chosen = query.offsets.map(({ partition, offset }) => {
    const found = letters.find(({ entry }) => entry.partition === partition && entry.offset === offset);
    if (!found) {
      throw new OperationsNotFoundError(
        `no dead letter at ${deployment.topics.deadLetter} partition ${partition} offset ${offset}${query.reason || query.since ? ' matching the filter' : ''}`,
      );
    }
    return found;
  });
  return { letters: chosen, markers };
}

const text = (base64: string | null) =>
  base64 === null ? '' : Buffer.from(base64, 'base64').toString('utf8');

export async function redrive(
  deployment: Deployment,
  ports: OperationsPorts,
  query: RedriveQuery,
): Promise<RedriveReport> {
  const { letters, markers: markerCount } = await chosenLetters(deployment, ports, query);
  const commandTopics = new Set(COMMAND_TOPIC_ROLES.map((role) => deployment.topics[role]));
  const report: RedriveReport = { dryRun: query.dryRun, sent: [], skipped: [], markers: markerCount };
  const redrivenAt = ports.now().toISOString();
  const originals: OutgoingMessage[] = [];
  const markers: OutgoingMessage[] = [];
  for (const chosen of letters) {
    const { entry } = chosen;
    const letter = letterOf(chosen.record);
    const why = skipReason(chosen, letter, commandTopics, query.force);
    if (why || !letter) {
      report.skipped.push({
        offset: entry.offset,
        partition: entry.partition,
        why: why ?? 'not a dead letter',
      });
      continue;
    }
    originals.push({
      topic: letter.source.topic,
      key: text(letter.originalKey),
      value: text(letter.originalValue),
      headers: {
        ...decodeHeaders(letter.originalHeaders),
        [REDRIVE_HEADER]: `${entry.partition}:${entry.offset}`,
      },
    });
    const marker: RedriveMarker = {
      type: 'redrive-marker',
      v: 1,
      deadLetter: { partition: entry.partition, offset: entry.offset },
      redrivenAt,
      topic: letter.source.topic,
    };
    markers.push({
      topic: deployment.topics.deadLetter,
      key: REDRIVE_MARKER_KEY,
      value: JSON.stringify(marker),
    });
    const { partition, offset, handler } = entry;
    report.sent.push({ offset, partition, topic: letter.source.topic, reason: entry.reason.code, handler });
  }
  if (originals.length === 0 || query.dryRun) return report;
  await ports.publish(originals);
  await ports.publish(markers);
  return report;
}
