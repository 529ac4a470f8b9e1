/** `dead-letter`: one dead letter with its original key, headers and value. */
import { type DeadLetterDetail, type Deployment, OperationsNotFoundError } from '../../model/operations.ts';
import { decodeHeaders, entryOf, letterOf, markerOf, readDeadLetters } from './dead-letter-log.ts';
import type { OperationsPorts } from './ports.ts';

const text = (base64: string | null) =>
  base64 === null ? null : Buffer.from(base64, 'base64').toString('utf8');

export async function deadLetterDetail(
  deployment: Deployment,
  ports: OperationsPorts,
  partition: number,
  offset: string,
): Promise<DeadLetterDetail> {
  const topic = deployment.topics.deadLetter;
  const [record] = await ports.read([{ topic, partition, from: offset, to: String(BigInt(offset) + 1n) }]);
  if (!record || record.offset !== offset || markerOf(record)) {
    throw new OperationsNotFoundError(`no dead letter at ${topic} partition ${partition} offset ${offset}`);
  }
  const { letters } = await readDeadLetters(deployment, ports, {
    fromOffsets: { [String(partition)]: offset },
  });
  const listed = letters.find(({ entry }) => entry.partition === partition && entry.offset === offset);
  const letter = letterOf(record);
  return {
    ...(listed?.entry ?? entryOf(record, new Map())),
    originalKey: letter ? text(letter.originalKey) : (record.key?.toString('utf8') ?? null),
    originalValue: letter ? text(letter.originalValue) : (record.value?.toString('utf8') ?? null),
    originalHeaders: letter ? decodeHeaders(letter.originalHeaders) : record.headers,
    ...(letter?.originalValueCut ? { originalValueCut: letter.originalValueCut } : {}),
  };
}
