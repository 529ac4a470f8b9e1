/**
 * Following commands through the handlers: progress of each command topic from the handlers' consumer-group
 * offsets against the topic ends taken before the commands were published (backfill, redrive --wait).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MultiBar, Presets } from 'cli-progress';
import type { CommandTopicRole, OffsetsReport } from '../model/operations.ts';
import { CliError } from './errors.ts';
import type { Io } from './output.ts';
import type { Target } from './target.ts';

export interface DatasetProgress {
  role: CommandTopicRole;
  handler: string;
  /** Records that arrived on the topic since the backfill started (its commands, and any other traffic). */
  published: number;
  /** Of those, records the handler's group has processed. */
  handled: number;
}

/** Progress of each followed topic between the offsets before the backfill and now. */
export function progressSince(
  before: OffsetsReport,
  now: OffsetsReport,
  roles: CommandTopicRole[],
): DatasetProgress[] {
  return roles.map((role) => {
    let published = 0n;
    let handled = 0n;
    for (const partition of now.groups[role].partitions) {
      const start = BigInt(
        before.groups[role].partitions.find((p) => p.partition === partition.partition)?.high ??
          partition.low,
      );
      const end = BigInt(partition.high);
      const committed = partition.committed === '-1' ? BigInt(partition.low) : BigInt(partition.committed);
      const arrived = end > start ? end - start : 0n;
      const done = committed > start ? committed - start : 0n;
      published += arrived;
      handled += done < arrived ? done : arrived;
    }
    return {
      role,
      handler: now.groups[role].handler,
      published: Number(published),
      handled: Number(handled),
    };
  });
}

/** Polls the groups' offsets until every followed topic is processed; bars on a terminal, lines otherwise. */
export async function follow(
  target: Target,
  io: Io,
  before: OffsetsReport,
  roles: CommandTopicRole[],
  timeoutSeconds: number,
): Promise<DatasetProgress[]> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const bars = io.interactive
    ? new MultiBar(
        { format: '  {dataset} |{bar}| {value}/{total} handled', hideCursor: true, clearOnComplete: false },
        Presets.shades_classic,
      )
    : undefined;
  const rows = new Map(roles.map((role) => [role, bars?.create(1, 0, { dataset: role.padEnd(10) })]));
  let last = '';
  let quietPolls = 0;
  try {
    for (;;) {
      const now = await target.operate<OffsetsReport>({ action: 'offsets' });
      const progress = progressSince(before, now, roles);
      for (const row of progress) {
        rows.get(row.role)?.setTotal(Math.max(row.published, 1));
        rows.get(row.role)?.update(row.handled);
      }
      const line = progress.map((row) => `${row.role} ${row.handled}/${row.published}`).join(', ');
      if (!bars && !io.json && line !== last) io.out(`  progress: ${line}`);
      last = line;
      // Twice in a row: a fan-out becomes visible only after the securities handler commits.
      const complete = progress.every((row) => row.published > 0 && row.handled === row.published);
      quietPolls = complete ? quietPolls + 1 : 0;
      if (quietPolls >= 2) return progress;
      if (Date.now() > deadline) {
        throw new CliError(`not finished after ${timeoutSeconds} s (${line}); follow it with horton status`);
      }
      await sleep(500);
    }
  } finally {
    bars?.stop();
  }
}
