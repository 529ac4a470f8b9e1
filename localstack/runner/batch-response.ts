/**
 * Interprets a handler's response the way an event source mapping with `ReportBatchItemFailures` does. Pure.
 *
 * Lambda's documented rules (partial batch responses):
 * - success: no response, an empty or null `batchItemFailures`, or a response object without that field;
 * - partial failure: `batchItemFailures` lists `{ itemIdentifier: { partition: "<topic>-<partition>", offset } }`;
 *   each listed partition resumes from its LOWEST failed offset, records before it count as processed;
 * - whole-batch failure: the response is malformed, or an identifier is missing, malformed, or names a record
 *   that was not in the batch. A thrown error is a whole-batch failure too (handled by the caller).
 *
 * Offsets are accepted as integers or as strings of digits (a Java poller deserialising into `long` accepts both).
 */

export type BatchResponseOutcome =
  | { kind: 'success' }
  /** Lowest failed offset per partition key; partitions not listed succeeded. */
  | { kind: 'partial'; failedFrom: Map<string, number> }
  | { kind: 'invalid'; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseOffset(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  return undefined;
}

/**
 * @param response what the handler resolved with
 * @param delivered offsets that were in the event, per partition key
 */
export function interpretBatchResponse(
  response: unknown,
  delivered: ReadonlyMap<string, ReadonlySet<number>>,
): BatchResponseOutcome {
  if (response === undefined || response === null) return { kind: 'success' };
  if (!isRecord(response)) {
    return {
      kind: 'invalid',
      reason: `response is ${Array.isArray(response) ? 'an array' : typeof response}`,
    };
  }
  const failures = response.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };

  const failedFrom = new Map<string, number>();
  for (const [index, failure] of failures.entries()) {
    const identifier = isRecord(failure) ? failure.itemIdentifier : undefined;
    if (!isRecord(identifier)) {
      return {
        kind: 'invalid',
        reason: `batchItemFailures[${index}].itemIdentifier is missing or not an object`,
      };
    }
    const { partition } = identifier;
    const offset = parseOffset(identifier.offset);
    if (typeof partition !== 'string' || partition === '') {
      return {
        kind: 'invalid',
        reason: `batchItemFailures[${index}].itemIdentifier.partition is not a string`,
      };
    }
    if (offset === undefined) {
      return {
        kind: 'invalid',
        reason: `batchItemFailures[${index}].itemIdentifier.offset is not an offset`,
      };
    }
    if (!delivered.get(partition)?.has(offset)) {
      return {
        kind: 'invalid',
        reason: `batchItemFailures[${index}] names ${partition}@${offset}, which was not in the batch`,
      };
    }
    const lowest = failedFrom.get(partition);
    if (lowest === undefined || offset < lowest) failedFrom.set(partition, offset);
  }
  return { kind: 'partial', failedFrom };
}
