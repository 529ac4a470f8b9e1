/** `horton dead-letters list|show|redrive`: what failed, why, and re-publishing it once the cause is fixed. */
import type { DeadLetterDetail, DeadLetterEntry, RedriveReport } from '../../model/operations.ts';
import { UsageError } from '../errors.ts';
import { emit, type Io, parseSince, table } from '../output.ts';
import type { Target } from '../target.ts';

export interface DeadLetterFilterOptions {
  reason?: string;
  since?: string;
}

/** The operations function's filter of the CLI's options; throws UsageError on a bad --since. */
export function deadLetterFilter(options: DeadLetterFilterOptions) {
  return {
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.since ? { since: parseSince(options.since) } : {}),
  };
}

/** Counts per handler and reason: the view an operator starts from. */
export function groupDeadLetters(entries: DeadLetterEntry[]) {
  const groups = new Map<
    string,
    { handler: string; reason: string; count: number; pending: number; last: string }
  >();
  for (const entry of entries) {
    const key = `${entry.handler}\u0000${entry.reason.code}`;
    const group = groups.get(key) ?? {
      handler: entry.handler,
      reason: entry.reason.code,
      count: 0,
      pending: 0,
      last: '',
    };
    group.count += 1;
    if (!entry.redriven) group.pending += 1;
    if (entry.appendedAt > group.last) group.last = entry.appendedAt;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => a.handler.localeCompare(b.handler) || b.count - a.count);
}

export async function listDeadLetters(
  target: Target,
  io: Io,
  options: DeadLetterFilterOptions & { limit: number },
): Promise<void> {
  const { deadLetters } = await target.operate<{ deadLetters: DeadLetterEntry[] }>({
    action: 'dead-letters',
    ...deadLetterFilter(options),
  });
  const groups = groupDeadLetters(deadLetters);
  emit(io, { groups, deadLetters }, () => {
    if (deadLetters.length === 0) {
      io.out('No dead letters.');
      return;
    }
    const summary = table(io, ['Handler', 'Reason', 'Records', 'Not redriven', 'Latest']);
    for (const group of groups) {
      summary.push([group.handler, group.reason, group.count, group.pending, group.last]);
    }
    io.out(`${deadLetters.length} dead letters, by handler and reason:`);
    io.out(summary.toString());
    const rows = table(io, ['Offset', 'Appended', 'Handler', 'Reason', 'Source', 'Status']);
    for (const entry of deadLetters.slice(-options.limit)) {
      rows.push([
        entry.partition === 0 ? entry.offset : `${entry.partition}:${entry.offset}`,
        entry.appendedAt,
        entry.handler,
        `${entry.reason.code}: ${entry.reason.message}`.slice(0, 60),
        entry.source ? `${entry.source.topic}[${entry.source.partition}]@${entry.source.offset}` : '-',
        entry.redriven
          ? `redriven ${entry.redriven.at}`
          : entry.repeatOf
            ? `repeat of ${entry.repeatOf.partition}:${entry.repeatOf.offset}`
            : 'pending',
      ]);
    }
    io.out(
      `\n${deadLetters.length > options.limit ? `Latest ${options.limit}` : 'Records'} (details: horton dead-letters show <offset>):`,
    );
    io.out(rows.toString());
  });
}

/** `<offset>` or `<partition>:<offset>`. */
export function parseOffset(value: string, partitionOption?: string): { partition: number; offset: string } {
  const match = /^(?:(\d+):)?(\d+)$/.exec(value);
  if (!match?.[2]) throw new UsageError(`<offset>: "${value}" is not an offset (e.g. 12 or 0:12)`);
  const partition = Number(match[1] ?? partitionOption ?? 0);
  if (!Number.isInteger(partition) || partition < 0)
    throw new UsageError(`--partition: "${partitionOption}" is not a partition number`);
  return { partition, offset: match[2] };
}

export async function showDeadLetter(
  target: Target,
  io: Io,
  offset: string,
  partition?: string,
): Promise<void> {
  const detail = await target.operate<DeadLetterDetail>({
    action: 'dead-letter',
    ...parseOffset(offset, partition),
  });
  emit(io, detail, () => {
    io.out(`Dead letter ${detail.partition}:${detail.offset} (appended ${detail.appendedAt})`);
    io.out(`  handler:  ${detail.handler}`);
    io.out(`  reason:   ${detail.reason.code}: ${detail.reason.message}`);
    if (detail.source)
      io.out(
        `  source:   ${detail.source.topic} partition ${detail.source.partition} offset ${detail.source.offset}`,
      );
    if (detail.correlationId) io.out(`  correlation: ${detail.correlationId}`);
    io.out(
      `  status:   ${detail.redriven ? `redriven to ${detail.redriven.topic} at ${detail.redriven.at}` : 'not redriven'}`,
    );
    io.out(`  key:      ${detail.originalKey ?? '(none)'}`);
    for (const [name, value] of Object.entries(detail.originalHeaders))
      io.out(`  header:   ${name}: ${value}`);
    io.out(`  value:    ${detail.originalValue ?? '(none)'}`);
    const cut = detail.originalValueCut;
    if (cut)
      io.out(
        `  cut:      the first ${cut.keptBytes} of ${cut.length} bytes (sha256 ${cut.sha256}); the whole value is at the source offset`,
      );
  });
}

export async function redriveDeadLetters(
  target: Target,
  io: Io,
  options: DeadLetterFilterOptions,
): Promise<void> {
  const report = await target.operate<RedriveReport>({ action: 'redrive', ...deadLetterFilter(options) });
  emit(io, report, () => {
    if (report.sent.length === 0) io.out('Nothing to redrive.');
    else io.out(`Redrove ${report.sent.length} dead letters to their source topics:`);
    for (const sent of report.sent) {
      io.out(`  ${sent.partition}:${sent.offset} -> ${sent.topic} (${sent.handler}, ${sent.reason})`);
    }
    if (report.skipped.length > 0) {
      const already = report.skipped.filter((skip) => skip.why.startsWith('already redriven')).length;
      io.out(`Skipped ${report.skipped.length}${already ? ` (${already} already redriven)` : ''}:`);
      for (const skip of report.skipped) io.out(`  ${skip.partition}:${skip.offset}: ${skip.why}`);
    }
  });
}
