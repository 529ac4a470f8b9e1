/** `horton dead-letters list|show|redrive`: what failed, why, and re-publishing it once the cause is fixed. */
import {
  COMMAND_TOPIC_ROLES,
  type DeadLetterDetail,
  type DeadLetterEntry,
  type DeadLetterList,
  type OffsetsReport,
  type RedriveReport,
} from '../../model/operations.ts';
import { EXIT, UsageError } from '../errors.ts';
import { follow } from '../follow.ts';
import { emit, type Io, parseSince, table, time } from '../output.ts';
import type { Target } from '../target.ts';

export interface DeadLetterFilterOptions {
  reason?: string;
  since?: string;
}

/** The operations request fields of a `--reason`/`--since` filter. */
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

const position = (partition: number, offset: string) => (partition === 0 ? offset : `${partition}:${offset}`);

/** Where a letter stands in its redrive chain (original -> redrive -> new letter). */
function letterStatus(entry: DeadLetterEntry): string {
  const again = entry.redriven?.failedAgainAs;
  if (entry.redriven)
    return again ? `redriven, failed again as ${position(again.partition, again.offset)}` : 'redriven';
  if (entry.repeatOf) return `repeat of ${position(entry.repeatOf.partition, entry.repeatOf.offset)}`;
  if (entry.redriveOf)
    return `failed again: redrive of ${position(entry.redriveOf.partition, entry.redriveOf.offset)}`;
  return 'pending';
}

export async function listDeadLetters(
  target: Target,
  io: Io,
  options: DeadLetterFilterOptions & { limit: number },
): Promise<number> {
  const list = await target.operate<DeadLetterList>({ action: 'dead-letters', ...deadLetterFilter(options) });
  const { deadLetters } = list;
  const groups = groupDeadLetters(deadLetters);
  emit(io, { groups, ...list }, () => {
    if (deadLetters.length === 0) {
      io.out('No dead letters.');
      return;
    }
    const summary = table(io, ['Handler', 'Reason', 'Records', 'Not redriven', 'Latest']);
    for (const group of groups) {
      summary.push([group.handler, group.reason, group.count, group.pending, time(io, group.last)]);
    }
    io.out(`${deadLetters.length} dead letters, by handler and reason:`);
    io.out(summary.toString());
    const rows = table(io, ['Offset', 'Appended', 'Handler', 'Reason', 'Source', 'Status']);
    for (const entry of deadLetters.slice(-options.limit)) {
      rows.push([
        position(entry.partition, entry.offset),
        time(io, entry.appendedAt),
        entry.handler,
        `${entry.reason.code}: ${entry.reason.message}`,
        entry.source ? `${entry.source.topic}[${entry.source.partition}]@${entry.source.offset}` : '-',
        letterStatus(entry),
      ]);
    }
    const shown = deadLetters.length > options.limit ? `Latest ${options.limit}` : 'Records';
    io.out(`\n${shown} (details: horton dead-letters show <offset>):`);
    io.out(rows.toString());
    if (list.markers > 0)
      io.out(`Offsets not listed are redrive markers (${list.markers}), not dead letters.`);
  });
  return EXIT.ok;
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
): Promise<number> {
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
    const redriven = detail.redriven ? ` (to ${detail.redriven.topic} at ${detail.redriven.at})` : '';
    io.out(`  status:   ${letterStatus(detail)}${redriven}`);
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
  return EXIT.ok;
}

export interface RedriveOptions extends DeadLetterFilterOptions {
  dryRun: boolean;
  force: boolean;
  wait: boolean;
  /** Seconds to follow the redriven records with --wait. */
  timeout: number;
}

/** What happened to the redriven records: handled and stored, or dead-lettered again. */
interface RedriveOutcome {
  stored: number;
  deadLetteredAgain: DeadLetterEntry[];
}

async function followRedrive(
  target: Target,
  io: Io,
  before: OffsetsReport,
  report: RedriveReport,
  timeout: number,
): Promise<RedriveOutcome> {
  const deployment = await target.deployment();
  const roles = COMMAND_TOPIC_ROLES.filter((role) =>
    report.sent.some((sent) => sent.topic === deployment.topics[role]),
  );
  await follow(target, io, before, roles, timeout);
  const { deadLetters } = await target.operate<DeadLetterList>({
    action: 'dead-letters',
    fromOffsets: Object.fromEntries(before.deadLetter.map((p) => [String(p.partition), p.high])),
  });
  const sent = new Set(report.sent.map((letter) => `${letter.partition}:${letter.offset}`));
  const deadLetteredAgain = deadLetters.filter(
    (entry) => entry.redriveOf && sent.has(`${entry.redriveOf.partition}:${entry.redriveOf.offset}`),
  );
  return { stored: report.sent.length - deadLetteredAgain.length, deadLetteredAgain };
}

function printRedrive(io: Io, report: RedriveReport, outcome: RedriveOutcome | undefined): void {
  const verb = report.dryRun ? 'Would redrive' : 'Redrove';
  if (report.sent.length === 0) io.out('Nothing to redrive.');
  else io.out(`${verb} ${report.sent.length} dead letters to their source topics:`);
  for (const sent of report.sent) {
    io.out(`  ${position(sent.partition, sent.offset)} -> ${sent.topic} (${sent.handler}, ${sent.reason})`);
  }
  if (report.skipped.length > 0) {
    io.out(`Skipped ${report.skipped.length}:`);
    for (const skip of report.skipped) io.out(`  ${position(skip.partition, skip.offset)}: ${skip.why}`);
  }
  if (!outcome) return;
  io.out(
    `Outcome: ${outcome.stored} handled without a new dead letter, ${outcome.deadLetteredAgain.length} dead-lettered again`,
  );
  for (const entry of outcome.deadLetteredAgain) {
    const origin = entry.redriveOf ? position(entry.redriveOf.partition, entry.redriveOf.offset) : '?';
    io.out(
      `  ${origin} -> redrive -> ${position(entry.partition, entry.offset)} (${entry.reason.code}: ${entry.reason.message})`,
    );
  }
}

/** Redrives; with --wait follows the records and exits 1 when any was dead-lettered again. */
export async function redriveDeadLetters(
  target: Target,
  io: Io,
  offsets: string[],
  options: RedriveOptions,
): Promise<number> {
  const positions = offsets.map((offset) => parseOffset(offset));
  if (options.wait && options.dryRun) throw new UsageError('--wait: a --dry-run sends nothing to wait for');
  const before = options.wait ? await target.operate<OffsetsReport>({ action: 'offsets' }) : undefined;
  const report = await target.operate<RedriveReport>({
    action: 'redrive',
    ...deadLetterFilter(options),
    ...(positions.length > 0 ? { offsets: positions } : {}),
    dryRun: options.dryRun,
    force: options.force,
  });
  const outcome =
    before && report.sent.length > 0
      ? await followRedrive(target, io, before, report, options.timeout)
      : undefined;
  emit(io, { ...report, ...(outcome ? { outcome } : {}) }, () => printRedrive(io, report, outcome));
  return (outcome?.deadLetteredAgain.length ?? 0) > 0 ? EXIT.failed : EXIT.ok;
}
